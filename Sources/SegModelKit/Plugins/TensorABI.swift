internal import CSegPlugin
import NN

#if canImport(Glibc)
import Glibc
#endif

/// Conversions between `NN.Tensor` and the C ABI's `segd_tensor`.
enum TensorABI {
    static func shape(of t: segd_tensor) throws(ModelError) -> [Int] {
        guard t.rank >= 1, t.rank <= SEGD_TENSOR_MAX_RANK else {
            throw ModelError(.invalidTensor, "tensor rank \(t.rank) is outside 1…\(SEGD_TENSOR_MAX_RANK)")
        }
        let all = withUnsafeBytes(of: t.shape) { Array($0.bindMemory(to: Int64.self)) }
        let shape = all.prefix(Int(t.rank)).map(Int.init)
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw ModelError(.invalidTensor, "tensor shape \(shape) has an empty or negative dimension")
        }
        guard t.data != nil else { throw ModelError(.invalidTensor, "tensor has no data") }
        return shape
    }

    /// Copies a C tensor into a new `Tensor`.
    static func tensor(from t: segd_tensor) throws -> Tensor {
        let shape = try shape(of: t)
        let count = shape.reduce(1, *)
        let source = UnsafeBufferPointer(start: t.data, count: count)
        return Tensor(shape: shape) { destination in
            _ = destination.initialize(from: source)
        }
    }

    /// Copies a `Tensor` into a malloc'd C tensor (released with `free`).
    static func export(_ x: Tensor) throws(ModelError) -> segd_tensor {
        guard x.rank >= 1, x.rank <= Int(SEGD_TENSOR_MAX_RANK) else {
            throw ModelError(.invalidTensor, "output rank \(x.rank) is outside 1…\(SEGD_TENSOR_MAX_RANK)")
        }
        var out = segd_tensor()
        out.rank = Int32(x.rank)
        withUnsafeMutableBytes(of: &out.shape) { raw in
            let dims = raw.bindMemory(to: Int64.self)
            for (i, d) in x.shape.enumerated() { dims[i] = Int64(d) }
        }
        guard let data = malloc(max(x.count, 1) * MemoryLayout<Float>.stride)?.bindMemory(to: Float.self, capacity: x.count)
        else { throw ModelError(.invalidTensor, "out of memory for an output of \(x.count) values") }
        x.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: x.count) }
        out.data = data
        return out
    }
}
