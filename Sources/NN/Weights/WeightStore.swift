/// The weights of one network, keyed exactly as PyTorch's `state_dict()`, with bookkeeping of which keys the
/// network consumed.
///
/// Architectures pull each weight with the shape they expect; when construction is done they call
/// `checkAllUsed()` so that a file with extra (unused) keys is rejected too. Errors name the key and both shapes.
/// Not thread-safe: build a network from one thread.
public final class WeightStore {
    private enum Source {
        case file(SafeTensorsFile)
        case memory([String: Tensor], [String: [Int64]])
    }

    private let source: Source
    private var used: Set<String> = []
    /// Where the weights came from (for messages).
    public let origin: String

    /// Opens a `.safetensors` file (memory-mapped; released with the store).
    public convenience init(path: String) throws {
        try self.init(file: SafeTensorsFile(path: path))
    }

    /// Wraps an open safetensors file.
    public init(file: SafeTensorsFile) {
        source = .file(file)
        origin = file.path
    }

    /// In-memory weights (tests, programmatic construction). Integer tensors go in `integers`.
    public init(tensors: [String: Tensor], integers: [String: [Int64]] = [:], origin: String = "in-memory weights") {
        source = .memory(tensors, integers)
        self.origin = origin
    }

    /// All keys, sorted.
    public var keys: [String] {
        switch source {
        case .file(let f): f.names
        case .memory(let t, let i): (Array(t.keys) + Array(i.keys)).sorted()
        }
    }

    /// Whether `key` exists.
    public func contains(_ key: String) -> Bool {
        switch source {
        case .file(let f): f.entries[key] != nil
        case .memory(let t, let i): t[key] != nil || i[key] != nil
        }
    }

    /// The shape stored under `key`, or nil.
    public func shape(of key: String) -> [Int]? {
        switch source {
        case .file(let f): f.entries[key]?.shape
        case .memory(let t, let i): t[key]?.shape ?? i[key].map { [$0.count] }
        }
    }

    /// The float tensor `key`, which must have exactly `shape`. Marks the key used.
    public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        guard let stored = self.shape(of: key) else {
            throw NNError(.missingWeight, "weight '\(key)' \(shapeString(shape)) is missing from \(origin)")
        }
        guard stored == shape else {
            throw NNError(.weightShapeMismatch, "weight '\(key)' has shape \(shapeString(stored)) in \(origin), the network expects \(shapeString(shape))")
        }
        used.insert(key)
        switch source {
        case .file(let f): return try f.tensor(key)
        case .memory(let t, _):
            guard let v = t[key] else {
                throw NNError(.weightShapeMismatch, "weight '\(key)' in \(origin) is an integer tensor, expected float")
            }
            return v
        }
    }

    /// Like `tensor(_:shape:)` but returns nil when the key is absent (e.g. an optional bias).
    public func optionalTensor(_ key: String, shape: [Int]) throws -> Tensor? {
        contains(key) ? try tensor(key, shape: shape) : nil
    }

    /// The integer tensor `key` (I64/I32) with exactly `shape`, as `Int64`s. Marks the key used.
    public func int64(_ key: String, shape: [Int]) throws -> [Int64] {
        guard let stored = self.shape(of: key) else {
            throw NNError(.missingWeight, "integer tensor '\(key)' \(shapeString(shape)) is missing from \(origin)")
        }
        switch source {
        case .file(let f):
            guard stored == shape else {
                throw NNError(.weightShapeMismatch, "tensor '\(key)' has shape \(shapeString(stored)) in \(origin), the network expects \(shapeString(shape))")
            }
            used.insert(key)
            return try f.int64Array(key)
        case .memory(_, let i):
            guard let v = i[key] else {
                throw NNError(.weightShapeMismatch, "tensor '\(key)' in \(origin) is a float tensor, expected integers")
            }
            guard v.count == shape.reduce(1, *) else {
                throw NNError(.weightShapeMismatch, "tensor '\(key)' has \(v.count) values in \(origin), the network expects \(shapeString(shape))")
            }
            used.insert(key)
            return v
        }
    }

    /// Marks `key` as consumed without reading it (e.g. `num_batches_tracked`, layers unused in inference),
    /// if it exists.
    public func ignore(_ key: String) {
        if contains(key) { used.insert(key) }
    }

    /// Marks every key that starts with `prefix` as consumed.
    public func ignore(prefix: String) {
        for k in keys where k.hasPrefix(prefix) { used.insert(k) }
    }

    /// Keys not consumed so far.
    public var unusedKeys: [String] { keys.filter { !used.contains($0) } }

    /// Throws `.unusedWeight` listing the keys the network never consumed (an extra or misnamed key).
    public func checkAllUsed() throws {
        let extra = unusedKeys
        guard extra.isEmpty else {
            let list = extra.prefix(10).map { "'\($0)' \(shapeString(shape(of: $0) ?? []))" }.joined(separator: ", ")
            throw NNError(.unusedWeight, "\(origin) has \(extra.count) key(s) the network does not use: \(list)\(extra.count > 10 ? ", ..." : ""); is it the right network configuration?")
        }
    }
}
