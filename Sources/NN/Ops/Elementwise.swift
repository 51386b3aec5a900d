extension Functional {
    /// Elementwise `a + b` with NumPy/PyTorch broadcasting.
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, "add", AddKernel()) }

    /// Elementwise `a * b` with NumPy/PyTorch broadcasting.
    public static func mul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, "mul", MulKernel()) }

    /// Elementwise `a - b` with NumPy/PyTorch broadcasting.
    public static func sub(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, "sub", SubKernel()) }

    /// `x * s`.
    public static func scale(_ x: Tensor, by s: Float) -> Tensor { map(x, ScaleKernel(factor: s)) }

    static func binary<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ name: String, _ f: K) throws -> Tensor {
        let A = a.ptr, B = b.ptr
        if a.shape == b.shape {
            let out = Tensor(uninitialized: a.shape)
            let O = out.ptr
            parallelChunks(a.count, minChunk: 65536) { r in for i in r { O[i] = f(A[i], B[i]) } }
            return out
        }
        // General broadcasting: right-align the shapes.
        let rank = max(a.rank, b.rank)
        let sa = Array(repeating: 1, count: rank - a.rank) + a.shape
        let sb = Array(repeating: 1, count: rank - b.rank) + b.shape
        var shape = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            guard sa[i] == sb[i] || sa[i] == 1 || sb[i] == 1 else {
                throw NNError(.shapeMismatch, "\(name): shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) do not broadcast")
            }
            shape[i] = max(sa[i], sb[i])
        }
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: rank), acc = 1
            for i in stride(from: rank - 1, through: 0, by: -1) { st[i] = s[i] == 1 ? 0 : acc; acc *= s[i] }
            return st
        }
        let ta = strides(sa), tb = strides(sb)
        let out = Tensor(uninitialized: shape)
        let O = out.ptr
        let inner = shape[rank - 1], ia = ta[rank - 1], ib = tb[rank - 1]
        let outer = out.count / max(1, inner)
        parallelFor(outer, minChunk: max(1, 4096 / max(1, inner))) { o in
            var rem = o, oa = 0, ob = 0
            for d in stride(from: rank - 2, through: 0, by: -1) {
                let idx = rem % shape[d]; rem /= shape[d]
                oa += idx * ta[d]; ob += idx * tb[d]
            }
            let dst = O + o * inner
            for i in 0..<inner { dst[i] = f(A[oa + i * ia], B[ob + i * ib]) }
        }
        return out
    }

    /// Concatenates tensors along `axis` (`torch.cat`); all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 1) throws -> Tensor {
        guard let first = tensors.first else { throw NNError(.invalidArgument, "concat of no tensors") }
        let ax = axis < 0 ? axis + first.rank : axis
        guard ax >= 0 && ax < first.rank else {
            throw NNError(.invalidArgument, "concat axis \(axis) out of range for rank \(first.rank)")
        }
        var shape = first.shape
        shape[ax] = 0
        for t in tensors {
            var s = t.shape
            guard s.count == first.rank else {
                throw NNError(.shapeMismatch, "concat: \(shapeString(t.shape)) and \(shapeString(first.shape)) differ in rank")
            }
            s[ax] = 0
            var f = first.shape
            f[ax] = 0
            guard s == f else {
                throw NNError(.shapeMismatch, "concat along axis \(ax): \(shapeString(t.shape)) does not fit \(shapeString(first.shape))")
            }
            shape[ax] += t.shape[ax]
        }
        let outer = first.shape[..<ax].reduce(1, *)
        let inner = first.shape[(ax + 1)...].reduce(1, *)
        let out = Tensor(uninitialized: shape)
        let O = out.ptr
        let rowOut = shape[ax] * inner
        var offset = 0
        for t in tensors {
            let row = t.shape[ax] * inner, T = t.ptr, off = offset
            // Split long rows too, so a single [1, C, D, H, W] block is copied by all workers.
            let pieces = max(1, row / (1 << 18)), piece = (row + pieces - 1) / pieces
            parallelFor(outer * pieces, minChunk: max(1, 65536 / max(1, piece))) { job in
                let o = job / pieces, lo = (job % pieces) * piece, n = min(piece, row - lo)
                if n > 0 { (O + o * rowOut + off + lo).update(from: T + o * row + lo, count: n) }
            }
            offset += row
        }
        return out
    }

    /// Slice `[start, start + length)` along `axis` (a copy), e.g. to split q|k|v or `torch.chunk`.
    public static func slice(_ x: Tensor, axis: Int, start: Int, length: Int) throws -> Tensor {
        let ax = axis < 0 ? axis + x.rank : axis
        guard ax >= 0, ax < x.rank, start >= 0, length >= 0, start + length <= x.shape[ax] else {
            throw NNError(.invalidArgument, "slice [\(start), \(start + length)) on axis \(axis) out of range for \(shapeString(x.shape))")
        }
        var shape = x.shape
        shape[ax] = length
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
        let out = Tensor(uninitialized: shape)
        let X = x.ptr, O = out.ptr
        let rowIn = x.shape[ax] * inner, row = length * inner
        parallelFor(outer, minChunk: max(1, 65536 / max(1, row))) { o in
            (O + o * row).update(from: X + o * rowIn + start * inner, count: row)
        }
        return out
    }

    /// Reorders dimensions (`x.permute(dims).contiguous()`).
    public static func permute(_ x: Tensor, _ dims: [Int]) throws -> Tensor {
        guard dims.count == x.rank, Set(dims) == Set(0..<x.rank) else {
            throw NNError(.invalidArgument, "permute \(dims) is not a permutation of 0..<\(x.rank)")
        }
        let shape = dims.map { x.shape[$0] }
        var inStride = [Int](repeating: 1, count: x.rank)
        for i in stride(from: x.rank - 2, through: 0, by: -1) { inStride[i] = inStride[i + 1] * x.shape[i + 1] }
        let st = dims.map { inStride[$0] }
        let out = Tensor(uninitialized: shape)
        let X = x.ptr, O = out.ptr
        let rank = x.rank
        guard rank > 0 else { O[0] = X[0]; return out }
        let inner = shape[rank - 1], innerStride = st[rank - 1]
        let outer = x.count / max(1, inner)
        parallelFor(outer, minChunk: max(1, 4096 / max(1, inner))) { o in
            var rem = o, off = 0
            for d in stride(from: rank - 2, through: 0, by: -1) {
                off += (rem % shape[d]) * st[d]; rem /= shape[d]
            }
            let dst = O + o * inner
            if innerStride == 1 {
                dst.update(from: X + off, count: inner)
            } else {
                for i in 0..<inner { dst[i] = X[off + i * innerStride] }
            }
        }
        return out
    }
}

/// A scalar binary function applied elementwise (generic so loops are specialised).
protocol BinaryKernel {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

struct AddKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}

struct SubKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}

struct MulKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}
