#if canImport(Glibc)
import Glibc
#endif

extension Functional {
    /// Eval-mode batch norm (`F.batch_norm(training=False)`): per channel
    /// `(x - runningMean) / sqrt(runningVar + eps) * weight + bias`. `x` is `[N, C, ...]`.
    ///
    /// `negativeSlope` fuses an activation into the same pass: 0 is ReLU, `s` is LeakyReLU(s), nil is none.
    public static func batchNorm(
        _ x: Tensor, runningMean: Tensor, runningVar: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5,
        negativeSlope: Float? = nil
    ) throws -> Tensor {
        guard x.rank >= 2 else { throw NNError(.shapeMismatch, "batchNorm expects [N, C, ...], got \(shapeString(x.shape))") }
        let c = x.shape[1]
        for (name, t) in [("runningMean", runningMean), ("runningVar", runningVar), ("weight", weight), ("bias", bias)] {
            if let t, t.shape != [c] {
                throw NNError(.shapeMismatch, "batchNorm \(name) \(shapeString(t.shape)) should be [\(c)] for input \(shapeString(x.shape))")
            }
        }
        var scale = [Float](repeating: 1, count: c), shift = [Float](repeating: 0, count: c)
        for i in 0..<c {
            let inv = 1 / (runningVar.ptr[i] + eps).squareRoot()
            let w = weight.map { $0.ptr[i] } ?? 1
            scale[i] = w * inv
            shift[i] = (bias.map { $0.ptr[i] } ?? 0) - runningMean.ptr[i] * w * inv
        }
        return channelAffine(x, scale: scale, shift: shift, negativeSlope: negativeSlope)
    }

    /// `y = x * scale[c] + shift[c]` over `[N, C, ...]`, then an optional fused (leaky) ReLU.
    static func channelAffine(_ x: Tensor, scale: [Float], shift: [Float], negativeSlope: Float? = nil) -> Tensor {
        let c = x.shape[1], plane = x.count / max(1, x.shape[0] * c)
        let out = Tensor(uninitialized: x.shape)
        let X = x.ptr, O = out.ptr
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                parallelFor(x.shape[0] * c, minChunk: max(1, 65536 / max(1, plane))) { nc in
                    let a = sc[nc % c], b = sh[nc % c]
                    let src = X + nc * plane, dst = O + nc * plane
                    if let slope = negativeSlope {
                        for i in 0..<plane { let v = src[i] * a + b; dst[i] = v > 0 ? v : v * slope }
                    } else {
                        for i in 0..<plane { dst[i] = src[i] * a + b }
                    }
                }
            }
        }
        return out
    }

    /// Instance norm (`F.instance_norm` without running stats): each `(n, c)` plane is normalised by its own
    /// mean and biased variance, then optionally scaled by `weight[c]` and shifted by `bias[c]`.
    /// `negativeSlope` fuses an activation into the same pass: 0 is ReLU, `s` is LeakyReLU(s), nil is none.
    public static func instanceNorm(
        _ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5, negativeSlope: Float? = nil
    ) throws -> Tensor {
        guard x.rank >= 3 else { throw NNError(.shapeMismatch, "instanceNorm expects [N, C, spatial...], got \(shapeString(x.shape))") }
        let c = x.shape[1]
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t, t.shape != [c] {
                throw NNError(.shapeMismatch, "instanceNorm \(name) \(shapeString(t.shape)) should be [\(c)]")
            }
        }
        let plane = x.count / (x.shape[0] * c)
        let X = x.ptr
        let planes = x.shape[0] * c
        // Statistics: one pass per plane, planes in parallel.
        var stats = [(Double, Double)](repeating: (0, 0), count: planes)
        stats.withUnsafeMutableBufferPointer { st in
            let S = st.baseAddress!
            parallelFor(planes) { nc in S[nc] = meanVarianceOnePass(X + nc * plane, plane) }
        }
        var scale = [Float](repeating: 1, count: c * x.shape[0]), shift = scale
        for nc in 0..<planes {
            let (mean, variance) = stats[nc]
            let inv = Float(1 / (variance + Double(eps)).squareRoot())
            let w = weight.map { $0.ptr[nc % c] } ?? 1, b = bias.map { $0.ptr[nc % c] } ?? 0
            scale[nc] = w * inv
            shift[nc] = b - Float(mean) * w * inv
        }
        // Per-plane affine (+ activation): reuse channelAffine on an [1, N·C, plane] view.
        let view = try x.reshaped([1, planes, plane])
        return try channelAffine(view, scale: scale, shift: shift, negativeSlope: negativeSlope).reshaped(x.shape)
    }

    /// Layer norm over the last dimension (`F.layer_norm(x, [x.shape[-1]], weight, bias, eps)`).
    public static func layerNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) throws -> Tensor {
        guard x.rank >= 1, let d = x.shape.last, d > 0 else {
            throw NNError(.shapeMismatch, "layerNorm needs a non-empty last dimension, got \(shapeString(x.shape))")
        }
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t, t.shape != [d] {
                throw NNError(.shapeMismatch, "layerNorm \(name) \(shapeString(t.shape)) should be [\(d)]")
            }
        }
        let rows = x.count / d
        let out = Tensor(uninitialized: x.shape)
        let X = x.ptr, O = out.ptr
        let ones = [Float](repeating: 1, count: d), zeros = [Float](repeating: 0, count: d)
        let W = weight?.ptr, B = bias?.ptr
        ones.withUnsafeBufferPointer { one in
            zeros.withUnsafeBufferPointer { zero in
                let w = W.map { UnsafePointer($0) } ?? one.baseAddress!
                let b = B.map { UnsafePointer($0) } ?? zero.baseAddress!
                parallelFor(rows, minChunk: max(1, 16384 / d)) { r in
                    let src = X + r * d, dst = O + r * d
                    let (mean, variance) = meanVariance(src, d)
                    let inv = Float(1 / (variance + Double(eps)).squareRoot()), m = Float(mean)
                    for i in 0..<d { dst[i] = (src[i] - m) * inv * w[i] + b[i] }
                }
            }
        }
        return out
    }

    /// Mean and biased variance of `n` floats in one pass: sums of `x - shift` and `(x - shift)²` with a shift
    /// taken from the first elements (avoids cancellation when |mean| >> std), float blocks summed in Double.
    static func meanVarianceOnePass(_ p: UnsafePointer<Float>, _ n: Int) -> (Double, Double) {
        guard n > 0 else { return (0, 0) }
        var shift: Float = 0
        let m = min(n, 64)
        for i in 0..<m { shift += p[i] }
        shift /= Float(m)
        var s1 = 0.0, s2 = 0.0
        var i = 0
        while i < n {
            let e = min(n, i + 512)
            var a: Float = 0, b: Float = 0
            for j in i..<e { let d = p[j] - shift; a += d; b += d * d }
            s1 += Double(a); s2 += Double(b)
            i = e
        }
        let meanShifted = s1 / Double(n)
        return (Double(shift) + meanShifted, max(0, s2 / Double(n) - meanShifted * meanShifted))
    }

    /// Mean and biased variance of `n` floats, two-pass, accumulated in blocks for accuracy.
    static func meanVariance(_ p: UnsafePointer<Float>, _ n: Int) -> (Double, Double) {
        var total = 0.0
        var i = 0
        while i < n {
            let e = min(n, i + 1024)
            var s: Float = 0
            for j in i..<e { s += p[j] }
            total += Double(s)
            i = e
        }
        let mean = total / Double(n), m = Float(mean)
        var sq = 0.0
        i = 0
        while i < n {
            let e = min(n, i + 1024)
            var s: Float = 0
            for j in i..<e { let d = p[j] - m; s += d * d }
            sq += Double(s)
            i = e
        }
        return (mean, sq / Double(n))
    }
}
