@testable import NN
import Testing

/// The thread-split GEMM (blocks of columns or rows on concurrent single-threaded OpenBLAS calls) against a
/// naive product, on sizes large enough to be split.
@Suite struct GEMMSplitTests {
    static func naive(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> [Float] {
        let m = a.shape[0], k = a.shape[1], n = transposeB ? b.shape[0] : b.shape[1]
        let A = a.toArray(), B = b.toArray()
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k { acc += Double(A[i * k + p]) * Double(transposeB ? B[j * k + p] : B[p * n + j]) }
                out[i * n + j] = Float(acc)
            }
        }
        return out
    }

    @Test(arguments: [(37, 301, 203, false), (37, 301, 203, true), (517, 70, 45, false), (517, 70, 45, true)])
    func splitProductMatchesNaive(_ m: Int, _ k: Int, _ n: Int, _ transposeB: Bool) throws {
        let a = pseudoRandomTensor([m, k], seed: 1), b = pseudoRandomTensor(transposeB ? [n, k] : [k, n], seed: 2)
        let y = try Functional.matmul(a, b, transposeB: transposeB)
        let e = try Tensor(shape: [m, n], data: Self.naive(a, b, transposeB: transposeB))
        expectClose(y, e, "matmul \(m)x\(k)x\(n) transposeB=\(transposeB)")
        if transposeB {
            let bias = pseudoRandomTensor([n], seed: 3)
            let lin = try Functional.linear(a, weight: b, bias: bias)
            expectClose(lin, try Functional.add(e, bias), "linear \(m)x\(k)->\(n)")
        }
    }
}
