extension Functional {
    /// `F.linear`: `y = x · weightᵀ + bias` over the last dimension. `x` is `[..., in]`, `weight` `[out, in]`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.rank == 2, let inF = x.shape.last, inF == weight.shape[1] else {
            throw NNError(.shapeMismatch, "linear weight \(shapeString(weight.shape)) does not fit input \(shapeString(x.shape))")
        }
        let outF = weight.shape[0]
        if let bias, bias.shape != [outF] {
            throw NNError(.shapeMismatch, "linear bias \(shapeString(bias.shape)) should be [\(outF)]")
        }
        let rows = x.count / max(1, inF)
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outF])
        let O = out.ptr
        if let bias {
            for r in 0..<rows { (O + r * outF).update(from: bias.ptr, count: outF) }
        }
        BLAS.sgemm(transB: true, m: rows, n: outF, k: inF, a: x.ptr, lda: inF, b: weight.ptr, ldb: inF,
                   beta: bias == nil ? 0 : 1, c: O, ldc: outF)
        return out
    }

    /// Batched matrix product (`torch.matmul` on `[..., M, K]` and `[..., K, N]`), optionally with `b`
    /// transposed (`[..., N, K]`, i.e. `a · bᵀ`) and scaled by `alpha`. `b` may have no batch dimensions
    /// (shared across the batch); otherwise both batch shapes must be equal.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false, alpha: Float = 1) throws -> Tensor {
        guard a.rank >= 2, b.rank >= 2 else {
            throw NNError(.shapeMismatch, "matmul needs rank >= 2, got \(shapeString(a.shape)) and \(shapeString(b.shape))")
        }
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        guard k == kb, batchB.isEmpty || batchA == batchB else {
            throw NNError(.shapeMismatch, "matmul of \(shapeString(a.shape)) and \(shapeString(b.shape))\(transposeB ? "ᵀ" : "") does not fit")
        }
        let batches = batchA.reduce(1, *)
        let out = Tensor(uninitialized: batchA + [m, n])
        let A = a.ptr, B = b.ptr, O = out.ptr
        let strideB = batchB.isEmpty ? 0 : k * n
        for i in 0..<batches {
            BLAS.sgemm(transB: transposeB, m: m, n: n, k: k, alpha: alpha, a: A + i * m * k, lda: k,
                       b: B + i * strideB, ldb: transposeB ? k : n, c: O + i * m * n, ldc: n)
        }
        return out
    }
}
