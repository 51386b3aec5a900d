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
                        softmaxRow(line, keys, bias: cbase + (h * keys + cell) * keys, scale: scale)
                    } else {
                        softmaxRow(line, keys, bias: nil, scale: scale)
                    }
                }
            }
        }
    }
}

/// One row in place: `softmax((x + bias) · scale)`, eight lanes at a time.
@inline(__always)
private func softmaxRow(_ x: UnsafeMutablePointer<Float>, _ n: Int, bias: UnsafeMutablePointer<Float>?, scale: Float) {
    typealias V = SIMD8<Float>
    let raw = UnsafeMutableRawPointer(x), vn = n / 8 * 8
    var vmax = V(repeating: -.infinity)
    var j = 0
    while j < vn {
        var v = raw.loadUnaligned(fromByteOffset: j * 4, as: V.self)
        if let bias { v += UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: j * 4, as: V.self) }
        v *= scale
        raw.storeBytes(of: v, toByteOffset: j * 4, as: V.self)
        vmax = vmax.replacing(with: v, where: v .> vmax)
        j += 8
    }
    var m = vmax.max()
    for t in vn..<n {
        x[t] = (x[t] + (bias?[t] ?? 0)) * scale
        m = max(m, x[t])
    }
    var vsum = V(repeating: 0)
    j = 0
    while j < vn {
        let e = fastExp(raw.loadUnaligned(fromByteOffset: j * 4, as: V.self) - m)
        raw.storeBytes(of: e, toByteOffset: j * 4, as: V.self)
        vsum += e
        j += 8
    }
    var s = vsum.sum()
    for t in vn..<n { let e = expf(x[t] - m); x[t] = e; s += e }
    let inv = 1 / s
    j = 0
    while j < vn {
        raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: j * 4, as: V.self) * inv, toByteOffset: j * 4, as: V.self)
        j += 8
    }
    for t in vn..<n { x[t] *= inv }
}

/// e^x for x <= 0 (softmax after max subtraction), relative error ~2e-7: x = k·ln2 + r, |r| <= ln2/2,
/// a degree-6 polynomial for e^r, and 2^k from the exponent bits. Results below e^-87 flush to 0.
@inline(__always)
private func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let clamped = x.replacing(with: -87.0, where: x .< -87.0)
    // Round to the nearest integer with the 1.5·2^23 trick: its low mantissa bits then hold k.
    let shifted = clamped * 1.44269504088896341 + 12582912.0
    let k = shifted - 12582912.0
    let r = clamped - k * 0.693145751953125 - k * 1.428606765330187045e-06
    var p = SIMD8<Float>(repeating: 1.0 / 720)
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    let e = p * unsafeBitCast(bits, to: SIMD8<Float>.self)
    return x.replacing(with: 0, where: x .< -87.0)
        .replacing(with: e, where: x .>= -87.0)
}

/// Carries a raw pointer into `concurrentPerform`; every worker writes a disjoint range of rows.
private struct UncheckedPointer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
