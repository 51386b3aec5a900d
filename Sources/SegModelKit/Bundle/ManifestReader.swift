/// Reads one JSON object of a manifest with type checks and errors that name the field by its path
/// (e.g. `labels[2].category.value: missing`). Every key must be read, else `finish()` names the unknown one.
struct ManifestReader {
    let path: String
    private let object: [String: JSONValue]
    private var used: Set<String> = []

    init(_ value: JSONValue, path: String) throws(ModelError) {
        guard case .object(let o) = value else { throw Self.error(path, "must be an object, not \(value.kindName)") }
        self.path = path
        object = o
    }

    static func error(_ path: String, _ what: String) -> ModelError {
        ModelError(.invalidManifest, "model.json: \(path.isEmpty ? "(top level)" : path): \(what)")
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, or nil when absent or null.
    mutating func optional(_ key: String) -> JSONValue? {
        used.insert(key)
        if case .null? = object[key] { return nil }
        return object[key]
    }

    mutating func required(_ key: String) throws(ModelError) -> JSONValue {
        guard let v = optional(key) else { throw Self.error(field(key), "missing") }
        return v
    }

    mutating func string(_ key: String) throws(ModelError) -> String {
        try Self.string(required(key), field(key))
    }

    mutating func optionalString(_ key: String) throws(ModelError) -> String? {
        guard let v = optional(key) else { return nil }
        return try Self.string(v, field(key))
    }

    mutating func double(_ key: String, default fallback: Double? = nil) throws(ModelError) -> Double {
        guard let v = optional(key) else {
            if let fallback { return fallback }
            throw Self.error(field(key), "missing")
        }
        return try Self.double(v, field(key))
    }

    mutating func int(_ key: String, default fallback: Int? = nil) throws(ModelError) -> Int {
        guard let v = optional(key) else {
            if let fallback { return fallback }
            throw Self.error(field(key), "missing")
        }
        return try Self.int(v, field(key))
    }

    mutating func bool(_ key: String, default fallback: Bool? = nil) throws(ModelError) -> Bool {
        guard let v = optional(key) else {
            if let fallback { return fallback }
            throw Self.error(field(key), "missing")
        }
        guard case .bool(let b) = v else { throw Self.error(field(key), "must be true or false, not \(v.kindName)") }
        return b
    }

    /// A string that must be one of `choices`.
    mutating func choice(_ key: String, _ choices: [String], default fallback: String? = nil) throws(ModelError)
        -> String
    {
        let s: String
        if let v = optional(key) { s = try Self.string(v, field(key)) } else if let fallback { s = fallback } else {
            throw Self.error(field(key), "missing")
        }
        guard choices.contains(s) else {
            throw Self.error(field(key), "\"\(s)\" is not one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return s
    }

    /// Throws naming the first key (alphabetically) that was never read.
    func finish() throws(ModelError) {
        if let unknown = Set(object.keys).subtracting(used).sorted().first {
            throw Self.error(field(unknown), "unknown key; remove it or check its spelling")
        }
    }

    static func string(_ v: JSONValue, _ path: String) throws(ModelError) -> String {
        guard case .string(let s) = v else { throw error(path, "must be a string, not \(v.kindName)") }
        return s
    }

    static func double(_ v: JSONValue, _ path: String) throws(ModelError) -> Double {
        guard case .number(let n) = v, n.isFinite else { throw error(path, "must be a number, not \(v.kindName)") }
        return n
    }

    static func int(_ v: JSONValue, _ path: String) throws(ModelError) -> Int {
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e15 else {
            throw error(path, "must be an integer, not \(v.kindName)")
        }
        return Int(n)
    }

    static func array(_ v: JSONValue, _ path: String) throws(ModelError) -> [JSONValue] {
        guard case .array(let a) = v else { throw error(path, "must be a list, not \(v.kindName)") }
        return a
    }

    static func doubles(_ v: JSONValue, _ path: String, count: Int? = nil) throws(ModelError) -> [Double] {
        let items = try array(v, path)
        if let count, items.count != count { throw error(path, "must have \(count) numbers, not \(items.count)") }
        var out: [Double] = []
        for (i, item) in items.enumerated() { out.append(try double(item, "\(path)[\(i)]")) }
        return out
    }

    static func ints(_ v: JSONValue, _ path: String) throws(ModelError) -> [Int] {
        let items = try array(v, path)
        var out: [Int] = []
        for (i, item) in items.enumerated() { out.append(try int(item, "\(path)[\(i)]")) }
        return out
    }
}
