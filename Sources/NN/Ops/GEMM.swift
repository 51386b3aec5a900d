import CBLAS

/// The only door to OpenBLAS: single-precision GEMM and thread control. Everything heavy in NN goes through here.
enum BLAS {
    /// Sets OpenBLAS's worker thread count.
    static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(n))
    }

    /// The OpenBLAS kernel family chosen at load time (e.g. "Cooperlake", "Haswell").
    static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Row-major C[M×N] = alpha · op(A)·op(B) + beta · C, where op(A) is M×K and op(B) is K×N.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
    static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = threadCount()  // makes sure the thread count is applied once
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // C = beta·C; OpenBLAS handles this too, but be explicit.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
