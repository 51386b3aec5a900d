import Dispatch
import NN
import SegModelKit

/// UTNet's input-independent 2-D relative position bias (`RelativePositionBias`, module
/// `relative_position_encoding`): a learned table `[(2r−1)², heads]` indexed with the Swin-Transformer index
/// of an r×r grid against itself (r = reduce_size). For an H×W query map each query pixel (y, x) uses the
/// row of its coarse cell (y div (H/r), x div (W/r)), i.e. nearest-neighbour repetition of the r×r bias.
struct RelativePositionBias: Sendable {
    let heads: Int, reduceSize: Int
    /// `coarse[(h · r² + i) · r² + j]` = bias of head h for coarse query cell i against key j.
    let coarse: [Float]

    init(_ store: WeightStore, prefix: String, heads: Int, reduceSize r: Int) throws {
        let cells = r * r, span = 2 * r - 1
        let table = try store.tensor(prefix + ".relative_position_bias_table", shape: [span * span, heads]).toArray()
        let indexKey = prefix + ".relative_position_index"
        let stored = try store.int64(indexKey, shape: [cells, cells])
        let expected = Self.index(reduceSize: r)
        if let bad = stored.indices.first(where: { stored[$0] != expected[$0] }) {
            throw ModelError(.weightsMismatch,
                             "'\(indexKey)' in \(store.origin) differs from the Swin relative position index of a \(r)×\(r) grid (entry [\(bad / cells), \(bad % cells)] is \(stored[bad]), expected \(expected[bad])); the weights do not come from yhygao/UTNet's RelativePositionBias with reduce_size \(r)")
        }
        var coarse = [Float](repeating: 0, count: heads * cells * cells)
        for h in 0..<heads {
            for ij in 0..<cells * cells { coarse[h * cells * cells + ij] = table[Int(expected[ij]) * heads + h] }
        }
        self.heads = heads
        self.reduceSize = r
        self.coarse = coarse
    }

    /// The Swin relative position index of an r×r grid, `[r², r²]` row-major: for cells i = (yi, xi) and
    /// j = (yj, xj), `(yi − yj + r − 1) · (2r − 1) + (xi − xj + r − 1)`.
    static func index(reduceSize r: Int) -> [Int64] {
        let cells = r * r
        var out = [Int64](repeating: 0, count: cells * cells)
        for i in 0..<cells {
            for j in 0..<cells {
                let dy = i / r - j / r + r - 1, dx = i % r - j % r + r - 1
                out[i * cells + j] = Int64(dy * (2 * r - 1) + dx)
            }
        }
        return out
    }
}

/// `softmax((logits + bias) · scale)` over the last axis, in place, where `logits` is `[N, heads, H·W, r²]`
/// for an H×W query map and `bias` (if any) is expanded from its r×r cells on the fly. Matches the reference
/// order: the bias is added first, then everything is scaled.
func biasedSoftmax(_ logits: inout Tensor, bias: RelativePositionBias?, heads: Int, queryHeight: Int, queryWidth: Int,
                   scale: Float) {
    let shape = logits.shape
    let keys = shape[3], pixels = queryHeight * queryWidth
    precondition(shape.count == 4 && shape[1] == heads && shape[2] == pixels, "biasedSoftmax: bad logits shape")
    let rows = shape[0] * heads * pixels
    let r = bias?.reduceSize ?? 1
    let blockH = max(1, queryHeight / r), blockW = max(1, queryWidth / r)
    logits.withUnsafeMutableBufferPointer { buffer in
        let base = UncheckedPointer(buffer.baseAddress!)
        bias.map { precondition($0.coarse.count == heads * keys * keys) }
        let coarse = bias?.coarse ?? []
        coarse.withUnsafeBufferPointer { coarseBuffer in
            // An empty array may still have a base address: only use it when there is a bias.
            let cb = UncheckedPointer(bias == nil ? nil : UnsafeMutablePointer(mutating: coarseBuffer.baseAddress))
            let chunks = min(NN.threadCount(), max(1, rows / 256))
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let p = base.value
                for row in rows * c / chunks..<rows * (c + 1) / chunks {
                    let line = p + row * keys
                    if let cbase = cb.value {
                        let h = (row / pixels) % heads, pixel = row % pixels
                        let cell = (pixel / queryWidth / blockH) * r + (pixel % queryWidth) / blockW
                        let b = cbase + (h * keys + cell) * keys
                        for j in 0..<keys { line[j] = (line[j] + b[j]) * scale }
                    } else {
                        for j in 0..<keys { line[j] *= scale }
                    }
                    var m = -Float.infinity
                    for j in 0..<keys { m = max(m, line[j]) }
                    var s: Float = 0
                    for j in 0..<keys { let e = expf(line[j] - m); line[j] = e; s += e }
                    let inv = 1 / s
                    for j in 0..<keys { line[j] *= inv }
                }
            }
        }
    }
}

/// Carries a raw pointer into `concurrentPerform`; every worker writes a disjoint range of rows.
private struct UncheckedPointer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
