/// Collects diagnostics while the configuration is read.
final class DiagnosticSink {
    var items: [ConfigDiagnostic] = []
    func add(_ line: Int, _ key: String, _ message: String) {
        items.append(ConfigDiagnostic(line: line, key: key, message: message))
    }
}

/// Typed, checked access to one TOML table: every key read is marked as known, and `finish()` reports the
/// others as unknown. Wrong types and out-of-range values become diagnostics and the default is used, so that
/// reading goes on and every error is reported.
struct ConfigReader {
    let table: TOMLTable
    /// The key path of this table in messages (`processing`, `watch[2]`, empty for the root).
    let path: String
    let sink: DiagnosticSink
    private var known: Set<String> = []

    init(_ table: TOMLTable, path: String, sink: DiagnosticSink) {
        self.table = table
        self.path = path
        self.sink = sink
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The line of a key (or of the table when the key is absent).
    func line(of key: String) -> Int { table[key]?.line ?? table.line }

    mutating func node(_ key: String) -> TOMLNode? {
        known.insert(key)
        return table[key]
    }

    func typeError(_ key: String, _ node: TOMLNode, expected: String) {
        sink.add(node.line, keyPath(key), "expected \(expected), found \(node.typeName)")
    }

    mutating func string(_ key: String) -> String? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value else { typeError(key, n, expected: "a string"); return nil }
        return s
    }

    mutating func string(_ key: String, default value: String) -> String { string(key) ?? value }

    /// A string that must be one of `choices`.
    mutating func choice(_ key: String, _ choices: [String], default value: String) -> String {
        guard let s = string(key) else { return value }
        guard choices.contains(s) else {
            sink.add(line(of: key), keyPath(key), "must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), not \"\(s)\"")
            return value
        }
        return s
    }

    mutating func integer(_ key: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let n = node(key) else { return value }
        guard case .integer(let i) = n.value else { typeError(key, n, expected: "an integer"); return value }
        guard let v = Int(exactly: i), range.contains(v) else {
            sink.add(n.line, keyPath(key), "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
            return value
        }
        return v
    }

    /// A float; integers are accepted too.
    mutating func number(_ key: String, default value: Double, range: ClosedRange<Double>) -> Double {
        guard let n = node(key) else { return value }
        let v: Double
        switch n.value {
        case .integer(let i): v = Double(i)
        case .float(let f): v = f
        default: typeError(key, n, expected: "a number"); return value
        }
        guard range.contains(v) else {
            sink.add(n.line, keyPath(key), "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            return value
        }
        return v
    }

    mutating func boolean(_ key: String, default value: Bool) -> Bool {
        guard let n = node(key) else { return value }
        guard case .boolean(let b) = n.value else { typeError(key, n, expected: "true or false"); return value }
        return b
    }

    mutating func stringArray(_ key: String) -> [String]? {
        guard let n = node(key) else { return nil }
        guard case .array(let items) = n.value else { typeError(key, n, expected: "an array of strings"); return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item.value else {
                sink.add(item.line, "\(keyPath(key))[\(i + 1)]", "expected a string, found \(item.typeName)")
                continue
            }
            out.append(s)
        }
        return out
    }

    /// An absolute path (no NUL, no newline).
    mutating func path(_ key: String, default value: String) -> String {
        guard let s = string(key) else { return value }
        guard Self.isAcceptablePath(s) else {
            sink.add(line(of: key), keyPath(key), "must be an absolute path without control characters, not \"\(s)\"")
            return value
        }
        return s
    }

    mutating func requiredPath(_ key: String) -> String? {
        guard table[key] != nil else {
            known.insert(key)
            sink.add(table.line, keyPath(key), "is required (an absolute path)")
            return nil
        }
        let s = path(key, default: "")
        return s.isEmpty ? nil : s
    }

    static func isAcceptablePath(_ s: String) -> Bool {
        s.hasPrefix("/") && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    mutating func table(_ key: String) -> ConfigReader? {
        guard let n = node(key) else { return nil }
        guard case .table(let t) = n.value else { typeError(key, n, expected: "a table [\(keyPath(key))]"); return nil }
        return ConfigReader(t, path: keyPath(key), sink: sink)
    }

    /// `[[key]]` sections, each with its path `key[i]` (counted from 1).
    mutating func tableArray(_ key: String) -> [ConfigReader] {
        guard let n = node(key) else { return [] }
        guard case .tableArray(let tables) = n.value else {
            typeError(key, n, expected: "[[\(keyPath(key))]] sections")
            return []
        }
        return tables.enumerated().map { ConfigReader($1, path: "\(keyPath(key))[\($0 + 1)]", sink: sink) }
    }

    /// Reports every key that was never read.
    func finish() {
        for key in table.keys where !known.contains(key) {
            sink.add(table[key]!.line, keyPath(key), "unknown key")
        }
    }
}
