#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dense, contiguous float32 tensor in row-major order (NCHW for 2-D maps, NCDHW for 3-D volumes).
///
/// `Tensor` is a value type with copy-on-write storage: copies are cheap until one of them is mutated.
public struct Tensor: Sendable, CustomStringConvertible {
    /// The size of each dimension, outermost first.
    public private(set) var shape: [Int]
    var storage: TensorStorage

    /// Number of elements (product of `shape`).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A tensor of the given shape with uninitialised contents (internal: every op writes all elements).
    init(uninitialized shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *))
    }

    /// A tensor filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(uninitialized: shape)
        storage.pointer.initialize(repeating: value, count: storage.count)
    }

    /// A tensor holding `data` in row-major order. Throws if `data.count` is not the product of `shape`.
    public init(shape: [Int], data: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw NNError(.invalidArgument, "tensor shape \(shapeString(shape)) has a negative dimension")
        }
        let n = shape.reduce(1, *)
        guard n == data.count else {
            throw NNError(.shapeMismatch, "shape \(shapeString(shape)) needs \(n) values, got \(data.count)")
        }
        self.init(uninitialized: shape)
        data.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: n) }
    }

    /// A tensor of `shape` whose elements are written by `body` (which must write all `count` elements).
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitialized: shape)
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// The elements in row-major order.
    public func toArray() -> [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Read-only access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Mutable access to the elements; copies the storage first if it is shared.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            let copy = TensorStorage(count: count)
            copy.pointer.update(from: storage.pointer, count: count)
            storage = copy
        }
    }

    /// Base pointer for internal kernels (read side).
    var ptr: UnsafeMutablePointer<Float> { storage.pointer }

    /// Element at a multi-dimensional index (slow; for tests and debugging).
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "index rank \(index.count) != tensor rank \(rank)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for \(shape)")
            flat = flat * n + i
        }
        return storage.pointer[flat]
    }

    /// Whether any element is NaN or infinite (e.g. to reject bad inputs before inference).
    public var hasNonFinite: Bool {
        let p = storage.pointer
        for i in 0..<count where !p[i].isFinite { return true }
        return false
    }

    /// Same elements under a new shape of equal element count. One dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var shape = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let inferred = newShape.filter { $0 == -1 }.count
        if inferred == 1, known > 0, count % known == 0, let i = newShape.firstIndex(of: -1) {
            shape[i] = count / known
        }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw NNError(.shapeMismatch, "cannot reshape \(shapeString(self.shape)) to \(shapeString(newShape))")
        }
        var t = self
        t.shape = shape
        return t
    }

    public var description: String {
        let head = toArrayPrefix(6).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shapeString(shape)): \(head)\(count > 6 ? ", ..." : ""))"
    }

    private func toArrayPrefix(_ n: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: min(n, count)))
    }
}
