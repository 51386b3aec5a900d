import CBLAS

/// The only door to OpenBLAS: single-precision GEMM and thread control. Everything heavy in NN goes through here.
///
/// OpenBLAS itself runs single-threaded; NN parallelises by splitting each product into column (or row)
/// blocks that its own worker threads hand to concurrent `cblas_sgemm` calls. Convolutions use this to give
/// each core its own cache-sized im2col tiles (see `Functional.convStride1`).
enum BLAS {
    /// Keeps OpenBLAS on the calling thread; `n` is NN's own worker count (unused by OpenBLAS).
    static func setThreads(_ n: Int) {
        openblas_set_num_threads(1)
    }

    /// The OpenBLAS kernel family chosen at load time (e.g. "Haswell", "Zen", "Cooperlake").
    static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Row-major C[M×N] = alpha · op(A)·op(B) + beta · C, where op(A) is M×K and op(B) is K×N, computed on
    /// the calling thread only. `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
    static func sgemmSerial(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreadedBLAS
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Like `sgemmSerial`, split over NN's worker threads along N (or M when M is the larger side).
    static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let threads = threadCount()
        let work = Double(m) * Double(n) * Double(k)
        if threads <= 1 || work < 2e6 {
            sgemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                        ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if n >= m {
            // Column blocks, multiples of 16 for the kernels' register blocking.
            let blocks = min(threads, max(1, n / 16))
            parallelChunks(blocks) { r in
                for blk in r {
                    let j0 = n * blk / blocks / 16 * 16, j1 = blk == blocks - 1 ? n : n * (blk + 1) / blocks / 16 * 16
                    if j1 <= j0 { continue }
                    let bOff = transB ? j0 * ldb : j0
                    sgemmSerial(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                                b: b + bOff, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
                }
            }
        } else {
            let blocks = min(threads, max(1, m / 16))
            parallelChunks(blocks) { r in
                for blk in r {
                    let i0 = m * blk / blocks / 16 * 16, i1 = blk == blocks - 1 ? m : m * (blk + 1) / blocks / 16 * 16
                    if i1 <= i0 { continue }
                    let aOff = transA ? i0 : i0 * lda
                    sgemmSerial(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha, a: a + aOff,
                                lda: lda, b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
                }
            }
        }
    }
}

/// Puts OpenBLAS in single-thread mode once, before the first product.
private let singleThreadedBLAS: Void = openblas_set_num_threads(1)
