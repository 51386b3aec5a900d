/// Reads constructor kwargs with defaults, type checks and a record of what was used, so that every kwarg a
/// network does not support is rejected by name (`finish()`), instead of being silently ignored.
public struct Kwargs {
    public let className: String
    private let values: [String: JSONValue]
    private var used: Set<String> = []

    public init(_ description: NetworkDescription) {
        className = description.className
        values = description.kwargs
    }

    private mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        if case .null? = values[key] { return nil }
        return values[key]
    }

    private func wrongType(_ key: String, _ expected: String, _ got: JSONValue) -> ModelError {
        ModelError(.invalidNetworkDescription, "\(className) kwarg \"\(key)\" must be \(expected), not \(got.kindName)")
    }

    /// Whether the kwarg is present and not null.
    public func has(_ key: String) -> Bool {
        if case .null? = values[key] { return false }
        return values[key] != nil
    }

    public mutating func int(_ key: String, default fallback: Int? = nil) throws(ModelError) -> Int {
        guard let v = value(key) else {
            if let fallback { return fallback }
            throw ModelError(.invalidNetworkDescription, "\(className) needs kwarg \"\(key)\"")
        }
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e15 else { throw wrongType(key, "an integer", v) }
        return Int(n)
    }

    public mutating func double(_ key: String, default fallback: Double? = nil) throws(ModelError) -> Double {
        guard let v = value(key) else {
            if let fallback { return fallback }
            throw ModelError(.invalidNetworkDescription, "\(className) needs kwarg \"\(key)\"")
        }
        guard case .number(let n) = v else { throw wrongType(key, "a number", v) }
        return n
    }

    public mutating func bool(_ key: String, default fallback: Bool? = nil) throws(ModelError) -> Bool {
        guard let v = value(key) else {
            if let fallback { return fallback }
            throw ModelError(.invalidNetworkDescription, "\(className) needs kwarg \"\(key)\"")
        }
        guard case .bool(let b) = v else { throw wrongType(key, "true or false", v) }
        return b
    }

    public mutating func string(_ key: String, default fallback: String? = nil) throws(ModelError) -> String {
        guard let v = value(key) else {
            if let fallback { return fallback }
            throw ModelError(.invalidNetworkDescription, "\(className) needs kwarg \"\(key)\"")
        }
        guard case .string(let s) = v else { throw wrongType(key, "a string", v) }
        return s
    }

    /// A list of integers; a single integer is accepted as a list of `broadcast` copies when given.
    public mutating func ints(_ key: String, default fallback: [Int]? = nil, broadcast: Int? = nil) throws(ModelError)
        -> [Int]
    {
        guard let v = value(key) else {
            if let fallback { return fallback }
            throw ModelError(.invalidNetworkDescription, "\(className) needs kwarg \"\(key)\"")
        }
        switch v {
        case .array(let items):
            var out: [Int] = []
            for item in items {
                guard case .number(let n) = item, n == n.rounded() else {
                    throw wrongType(key, "a list of integers", v)
                }
                out.append(Int(n))
            }
            return out
        case .number(let n) where n == n.rounded() && broadcast != nil:
            return [Int](repeating: Int(n), count: broadcast!)
        default:
            throw wrongType(key, "a list of integers", v)
        }
    }

    /// The raw value, for kwargs with several accepted forms (e.g. `norm` as "batch" or ["instance", {...}]).
    public mutating func raw(_ key: String) -> JSONValue? { value(key) }

    /// Throws if any kwarg was given that the network did not read.
    public func finish() throws(ModelError) {
        let unused = Set(values.keys).subtracting(used).sorted()
        guard unused.isEmpty else {
            throw ModelError(.invalidNetworkDescription,
                             "\(className) does not support kwarg\(unused.count == 1 ? "" : "s") \(unused.map { "\"\($0)\"" }.joined(separator: ", ")) in segd; remove \(unused.count == 1 ? "it" : "them") or use the defaults")
        }
    }
}
