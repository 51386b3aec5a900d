import Foundation

extension SegdConfiguration {
    /// Reads and validates a configuration file. Throws `.configUnreadable`, or `.invalidConfig` with every
    /// problem in `diagnostics`.
    public static func load(path: String) throws(DaemonError) -> SegdConfiguration {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DaemonError(.configUnreadable, "the configuration \(path) does not exist; create it (see segd.conf(5), or the example Packaging/segd.conf) or pass --config PATH")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DaemonError(.configUnreadable, "cannot read the configuration \(path): \(error.localizedDescription); create it (see segd.conf(5)) or pass --config PATH")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw DaemonError(.configUnreadable, "the configuration \(path) is not valid UTF-8; save it as UTF-8")
        }
        return try parse(text, path: path)
    }

    /// Parses and validates configuration text; `path` is only used in messages.
    public static func parse(_ text: String, path: String = defaultPath) throws(DaemonError) -> SegdConfiguration {
        let (config, diagnostics) = read(text)
        guard diagnostics.isEmpty else {
            let s = diagnostics.count == 1 ? "" : "s"
            throw DaemonError(.invalidConfig, "\(path) has \(diagnostics.count) error\(s); run segd check-config --config \(path)",
                              diagnostics: diagnostics)
        }
        return config
    }

    /// The configuration with defaults where it had errors, and every problem, sorted by line.
    public static func read(_ text: String) -> (SegdConfiguration, [ConfigDiagnostic]) {
        let (root, syntax) = TOMLParser.parse(text)
        let sink = DiagnosticSink()
        var config = SegdConfiguration()
        var r = ConfigReader(root, path: "", sink: sink)
        if var t = r.table("paths") { config.paths = readPaths(&t); t.finish() }
        if var t = r.table("processing") { config.processing = readProcessing(&t); t.finish() }
        if var t = r.table("timeouts") { config.timeouts = readTimeouts(&t); t.finish() }
        if var t = r.table("ingest") {
            config.ingest.rescanSeconds = t.integer("rescanSeconds", default: 60, range: 0...86400)
            if let node = t.node("maxHeaderSize") {
                let bytes: Int? = switch node.value {
                case .integer(let n): Int(exactly: n)
                case .string(let s): parseBytes(s)
                default: nil
                }
                if let bytes, bytes >= 1 << 20, bytes <= 4 << 30 { config.ingest.maxHeaderBytes = bytes }
                else {
                    t.sink.add(node.line, t.keyPath("maxHeaderSize"),
                               "expected a size from 1 MiB to 4 GiB such as \"64MiB\", or bytes")
                }
            }
            t.finish()
        }
        if var t = r.table("metrics") {
            if t.node("textfile") != nil { config.metrics.textfile = t.path("textfile", default: "") }
            t.finish()
        }
        if var t = r.table("retry") { config.retry = readRetry(&t); t.finish() }
        if var t = r.table("control") { config.control = readControl(&t); t.finish() }
        var watchNumbers: [Int] = []
        for (i, var w) in r.tableArray("watch").enumerated() {
            let path = w.requiredPath("path")
            let output = w.requiredPath("output")
            let quiet = w.integer("quietSeconds", default: 30, range: 1...86400)
            if let path, let output {
                var watch = Watch(path: path, output: output, quietSeconds: quiet)
                watch.line = w.table.line
                config.watches.append(watch)
                watchNumbers.append(i + 1)
            }
            w.finish()
        }
        var ruleNames: [String: Int] = [:]
        for (i, t) in r.tableArray("rule").enumerated() {
            if case .string(let name)? = t.table["name"]?.value {
                if let first = ruleNames[name] {
                    sink.add(t.line(of: "name"), "rule[\(i + 1)].name", "\"\(name)\" is already the name of rule[\(first)]")
                }
                ruleNames[name] = ruleNames[name] ?? (i + 1)
            }
            if let rule = readRule(t) { config.rules.append(rule) }
        }
        r.finish()
        checkConsistency(config, watchNumbers: watchNumbers, sink)
        let all = (syntax + sink.items).enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        return (config, all.map(\.element))
    }

    static func readPaths(_ t: inout ConfigReader) -> Paths {
        var p = Paths()
        p.state = t.path("state", default: p.state)
        p.spool = t.path("spool", default: p.spool)
        p.quarantine = t.path("quarantine", default: p.quarantine)
        p.archive = t.path("archive", default: p.archive)
        p.models = t.path("models", default: p.models)
        if let plugins = t.stringArray("plugins") {
            for s in plugins where !ConfigReader.isAcceptablePath(s) {
                t.sink.add(t.line(of: "plugins"), t.keyPath("plugins"), "\"\(s)\" is not an absolute path")
            }
            p.plugins = plugins.filter(ConfigReader.isAcceptablePath)
        }
        return p
    }

    static func readProcessing(_ t: inout ConfigReader) -> Processing {
        var p = Processing()
        p.workers = t.integer("workers", default: 1, range: 1...64)
        p.blasThreads = t.integer("blasThreads", default: 0, range: 0...1024)
        p.shutdownGraceSeconds = t.integer("shutdownGraceSeconds", default: 30, range: 0...86400)
        p.retention = Retention(rawValue: t.choice("retention", Retention.allCases.map(\.rawValue), default: "keep")) ?? .keep
        if let node = t.node("memoryBudget") {
            switch node.value {
            case .integer(let bytes) where bytes >= 64 << 20:
                p.memoryBudget = .bytes(Int(bytes))
            case .string(let s):
                if let budget = parseMemory(s) { p.memoryBudget = budget }
                else {
                    t.sink.add(node.line, t.keyPath("memoryBudget"),
                               "\"\(s)\" is not a size; write \"auto\" or a number with KiB, MiB, GiB, TiB, kB, MB, GB or TB (at least 64 MiB)")
                }
            default:
                t.sink.add(node.line, t.keyPath("memoryBudget"), "expected \"auto\", a size such as \"6GiB\", or bytes (at least 64 MiB)")
            }
        }
        return p
    }

    /// "auto", or a number with a binary or decimal unit; at least 64 MiB.
    static func parseMemory(_ s: String) -> MemoryBudget? {
        if s == "auto" { return .auto }
        guard let bytes = parseBytes(s), bytes >= 64 << 20 else { return nil }
        return .bytes(bytes)
    }

    /// A number with a binary or decimal unit ("64MiB", "2 GB"), as bytes.
    static func parseBytes(_ s: String) -> Int? {
        let units: [(String, Double)] = [("KiB", 0x1p10), ("MiB", 0x1p20), ("GiB", 0x1p30), ("TiB", 0x1p40),
                                         ("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)]
        for (unit, factor) in units where s.hasSuffix(unit) {
            let number = s.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            guard let n = Double(number), n.isFinite, n > 0 else { return nil }
            let bytes = n * factor
            guard bytes >= 1, bytes < 0x1p62 else { return nil }
            return Int(bytes)
        }
        return nil
    }

    static func readTimeouts(_ t: inout ConfigReader) -> Timeouts {
        var x = Timeouts()
        let week = 1...604_800
        x.decode = t.integer("decode", default: x.decode, range: week)
        x.preprocess = t.integer("preprocess", default: x.preprocess, range: week)
        x.inference = t.integer("inference", default: x.inference, range: week)
        x.postprocess = t.integer("postprocess", default: x.postprocess, range: week)
        x.write = t.integer("write", default: x.write, range: week)
        return x
    }

    static func readRetry(_ t: inout ConfigReader) -> RetryPolicy {
        let attempts = t.integer("maxAttempts", default: 5, range: 1...100)
        let initial = t.integer("initialDelaySeconds", default: 30, range: 0...86400)
        let maximum = t.integer("maxDelaySeconds", default: 1800, range: 0...604_800)
        let multiplier = t.number("multiplier", default: 2, range: 1...10)
        if maximum < initial {
            t.sink.add(t.line(of: "maxDelaySeconds"), t.keyPath("maxDelaySeconds"),
                       "must be at least initialDelaySeconds (\(initial))")
        }
        return RetryPolicy(maxAttempts: attempts, initialDelay: .seconds(initial), multiplier: multiplier,
                           maxDelay: .seconds(max(initial, maximum)))
    }

    static func readControl(_ t: inout ConfigReader) -> Control {
        var c = Control()
        c.socket = t.path("socket", default: c.socket)
        if let roots = t.stringArray("submitRoots") {
            for s in roots where !ConfigReader.isAcceptablePath(s) {
                t.sink.add(t.line(of: "submitRoots"), t.keyPath("submitRoots"), "\"\(s)\" is not an absolute path")
            }
            c.submitRoots = roots.filter(ConfigReader.isAcceptablePath)
        }
        if let node = t.node("mode") {
            var mode: Int?
            switch node.value {
            case .string(let s) where s.count >= 3 && s.count <= 4: mode = Int(s, radix: 8)
            case .integer(let i): mode = Int(i)
            default: break
            }
            if let m = mode, (0...0o777).contains(m) { c.mode = m }
            else { t.sink.add(node.line, t.keyPath("mode"), "expected permission bits as an octal string such as \"0660\"") }
        }
        for key in ["group", "adminGroup"] {
            guard let s = t.string(key) else { continue }
            guard isValidGroupName(s) else {
                t.sink.add(t.line(of: key), t.keyPath(key), "\"\(s)\" is not a valid group name")
                continue
            }
            if key == "group" { c.group = s } else { c.adminGroup = s }
        }
        return c
    }

    static func isValidGroupName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 32,
              first.properties.isLowercase || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0)))
            || $0 == "_" || $0 == "-" }
    }

    /// Checks across sections: folders that would feed themselves or collide.
    /// `watchNumbers[i]` is the 1-based `[[watch]]` number of `c.watches[i]` (invalid sections are left out).
    static func checkConsistency(_ c: SegdConfiguration, watchNumbers: [Int], _ sink: DiagnosticSink) {
        func inside(_ a: String, _ b: String) -> Bool {
            let a = a.hasSuffix("/") ? a : a + "/"
            let b = b.hasSuffix("/") ? b : b + "/"
            return a.hasPrefix(b)
        }
        var seen: [String: Int] = [:]
        for (i, w) in c.watches.enumerated() {
            let key = "watch[\(watchNumbers[i])]"
            if let first = seen[w.path] { sink.add(w.line, key + ".path", "the same folder is watched by watch[\(first)]") }
            seen[w.path] = seen[w.path] ?? watchNumbers[i]
            for (j, other) in c.watches.enumerated() where inside(w.output, other.path) {
                sink.add(w.line, key + ".output", "is inside the watch folder of watch[\(watchNumbers[j])]; the SEGs would be ingested again")
            }
            for (name, dir) in [("spool", c.paths.spool), ("quarantine", c.paths.quarantine), ("state", c.paths.state)]
                where inside(dir, w.path) || inside(w.path, dir) {
                sink.add(w.line, key + ".path", "overlaps paths.\(name) (\(dir)); keep watch folders apart from segd's own folders")
            }
        }
        if c.processing.retention == .archive {
            for (i, w) in c.watches.enumerated() where inside(c.paths.archive, w.path) {
                sink.add(w.line, "watch[\(watchNumbers[i])].path", "contains paths.archive; archived files would be ingested again")
            }
        }
    }
}
