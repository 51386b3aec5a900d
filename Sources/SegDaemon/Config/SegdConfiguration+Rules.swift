import Foundation

extension SegdConfiguration {
    /// One `[[rule]]`:
    ///
    ///     [[rule]]
    ///     name = "ct-abdomen"
    ///     models = ["demo-ct"]
    ///     when = [
    ///       { field = "Modality", equals = "CT" },
    ///       { field = "SeriesDescription", regex = "abdo", ignoreCase = true },
    ///       { field = "slices", min = 20 },
    ///     ]
    static func readRule(_ reader: ConfigReader) -> RoutingRule? {
        var t = reader
        defer { t.finish() }
        let name = t.string("name")
        if name == nil && t.table["name"] == nil { t.sink.add(t.table.line, t.keyPath("name"), "is required (a short name for logs and segctl)") }
        var models = t.stringArray("models") ?? []
        if t.table["models"] == nil { t.sink.add(t.table.line, t.keyPath("models"), "is required (an array of model ids)") }
        else if models.isEmpty { t.sink.add(t.line(of: "models"), t.keyPath("models"), "must name at least one model") }
        for m in models where !isValidModelID(m) {
            t.sink.add(t.line(of: "models"), t.keyPath("models"), "\"\(m)\" is not a model id (letters, digits, '.', '_', '-'; not starting with '.')")
        }
        models = models.filter(isValidModelID)
        var conditions: [RoutingCondition] = []
        var ok = name != nil && !models.isEmpty
        if let node = t.node("when") {
            if case .array(let items) = node.value {
                for (i, item) in items.enumerated() {
                    if let c = readCondition(item, key: "\(t.keyPath("when"))[\(i + 1)]", sink: t.sink) { conditions.append(c) }
                    else { ok = false }
                }
            } else {
                t.typeError("when", node, expected: "an array of conditions { field = ..., equals = ... }")
                ok = false
            }
        }
        guard ok, let name else { return nil }
        return RoutingRule(name: name, models: models, conditions: conditions, line: t.table.line)
    }

    static func isValidModelID(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 128, !s.hasPrefix(".") else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// `{ field = "...", <operator> = ..., ignoreCase = bool }` with exactly one operator (min and max together
    /// form one range).
    static func readCondition(_ node: TOMLNode, key: String, sink: DiagnosticSink) -> RoutingCondition? {
        guard case .table(let table) = node.value else {
            sink.add(node.line, key, "expected a condition { field = \"Modality\", equals = \"CT\" }, found \(node.typeName)")
            return nil
        }
        var t = ConfigReader(table, path: key, sink: sink)
        defer { t.finish() }
        let before = sink.items.count
        let field = t.string("field")
        if let field, !SeriesFacts.allFields.contains(field) {
            let suggestion = SeriesFacts.allFields.first { $0.lowercased() == field.lowercased() }
            sink.add(node.line, t.keyPath("field"), "unknown field \"\(field)\"" + (suggestion.map { "; did you mean \"\($0)\"?" }
                ?? "; use a DICOM keyword (\(SeriesFacts.dicomFields.prefix(6).joined(separator: ", ")), ...) or plane, slices, sliceSpacing"))
        } else if field == nil && table["field"] == nil {
            sink.add(node.line, t.keyPath("field"), "is required")
        }
        let ignoreCase = t.boolean("ignoreCase", default: false)
        let operators = ["equals", "in", "regex", "exists"].filter { table[$0] != nil }
        let hasRange = table["min"] != nil || table["max"] != nil
        let count = operators.count + (hasRange ? 1 : 0)
        guard count == 1 else {
            for k in ["equals", "in", "regex", "exists", "min", "max"] { _ = t.node(k) }
            sink.add(node.line, key, count == 0 ? "needs one test: equals, in, regex, min/max or exists"
                     : "has several tests (\((operators + (hasRange ? ["min/max"] : [])).joined(separator: ", "))); write one condition per test")
            return nil
        }
        var test: RoutingCondition.Test?
        if hasRange {
            let lo = t.node("min").flatMap { number($0, "\(key).min", sink) }
            let hi = t.node("max").flatMap { number($0, "\(key).max", sink) }
            if let lo, let hi, lo > hi { sink.add(node.line, key, "min (\(lo)) is greater than max (\(hi))") }
            test = .range(min: lo, max: hi)
        } else if let n = t.node("equals") {
            test = value(n, "\(key).equals", sink).map { .equals($0) }
        } else if let n = t.node("in") {
            if case .array(let items) = n.value, !items.isEmpty {
                let values = items.enumerated().compactMap { value($1, "\(key).in[\($0 + 1)]", sink) }
                test = .oneOf(values)
            } else {
                sink.add(n.line, "\(key).in", "expected a non-empty array of strings or numbers")
            }
        } else if let n = t.node("regex") {
            if case .string(let pattern) = n.value {
                do {
                    _ = try NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : [])
                    test = .regex(pattern)
                } catch {
                    sink.add(n.line, "\(key).regex", "invalid regular expression /\(pattern)/ (NSRegularExpression syntax)")
                }
            } else {
                sink.add(n.line, "\(key).regex", "expected a string (a 'literal string' avoids escaping backslashes)")
            }
        } else if let n = t.node("exists") {
            if case .boolean(let b) = n.value { test = .exists(b) } else { sink.add(n.line, "\(key).exists", "expected true or false") }
        }
        if ignoreCase, let test, case .range = test { sink.add(node.line, "\(key).ignoreCase", "does not apply to min/max") }
        guard let field, let test, sink.items.count == before else { return nil }
        return RoutingCondition(field: field, test, ignoreCase: ignoreCase, line: node.line)
    }

    static func value(_ node: TOMLNode, _ key: String, _ sink: DiagnosticSink) -> RoutingValue? {
        switch node.value {
        case .string(let s): return .text(s)
        case .integer(let i): return .number(Double(i))
        case .float(let f) where f.isFinite: return .number(f)
        default:
            sink.add(node.line, key, "expected a string or a number, found \(node.typeName)")
            return nil
        }
    }

    static func number(_ node: TOMLNode, _ key: String, _ sink: DiagnosticSink) -> Double? {
        switch node.value {
        case .integer(let i): return Double(i)
        case .float(let f) where f.isFinite: return f
        default:
            sink.add(node.line, key, "expected a number, found \(node.typeName)")
            return nil
        }
    }
}
