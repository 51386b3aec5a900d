#if canImport(Glibc)
import Glibc
#endif

extension Functional {
    /// Applies `f` elementwise in parallel (generic over the kernel so the loop is specialised and inlined).
    static func map<K: ElementwiseKernel>(_ x: Tensor, _ f: K) -> Tensor {
        let out = Tensor(uninitialized: x.shape)
        let X = x.ptr, O = out.ptr
        parallelChunks(x.count, minChunk: 65536) { r in
            for i in r { O[i] = f(X[i]) }
        }
        return out
    }

    /// `max(x, 0)`.
    public static func relu(_ x: Tensor) -> Tensor { map(x, LeakyKernel(slope: 0)) }

    /// `x` if positive, else `slope * x` (`F.leaky_relu`, default slope 0.01).
    public static func leakyReLU(_ x: Tensor, slope: Float = 0.01) -> Tensor { map(x, LeakyKernel(slope: slope)) }

    /// Exact GELU: `0.5 * x * (1 + erf(x / sqrt(2)))` (`F.gelu`, approximate='none').
    public static func gelu(_ x: Tensor) -> Tensor { map(x, GELUKernel()) }

    /// PReLU (`F.prelu`): `weight` has 1 element (shared slope) or one per channel (`x.shape[1]`).
    public static func prelu(_ x: Tensor, weight: Tensor) throws -> Tensor {
        if weight.count == 1 {
            return map(x, LeakyKernel(slope: weight.ptr[0]))
        }
        guard x.rank >= 2, weight.shape == [x.shape[1]] else {
            throw NNError(.shapeMismatch, "prelu weight \(shapeString(weight.shape)) needs 1 or \(x.rank >= 2 ? x.shape[1] : 0) slopes for input \(shapeString(x.shape))")
        }
        let c = x.shape[1], plane = x.count / (x.shape[0] * c)
        let out = Tensor(uninitialized: x.shape)
        let X = x.ptr, O = out.ptr, A = weight.ptr
        parallelFor(x.shape[0] * c, minChunk: max(1, 65536 / max(1, plane))) { nc in
            let a = A[nc % c]
            for i in nc * plane..<(nc + 1) * plane { let v = X[i]; O[i] = v > 0 ? v : v * a }
        }
        return out
    }

    /// Softmax over the last dimension (`F.softmax(x, dim=-1)`).
    public static func softmax(_ x: Tensor) throws -> Tensor {
        guard let d = x.shape.last, d > 0 else {
            throw NNError(.shapeMismatch, "softmax needs a non-empty last dimension, got \(shapeString(x.shape))")
        }
        let out = Tensor(uninitialized: x.shape)
        let X = x.ptr, O = out.ptr
        parallelFor(x.count / d, minChunk: max(1, 8192 / d)) { r in
            let src = X + r * d, dst = O + r * d
            var m = -Float.infinity
            for i in 0..<d { m = max(m, src[i]) }
            var s: Float = 0
            for i in 0..<d { let e = expf(src[i] - m); dst[i] = e; s += e }
            let inv = 1 / s
            for i in 0..<d { dst[i] *= inv }
        }
        return out
    }
}

/// A scalar function applied elementwise.
protocol ElementwiseKernel {
    func callAsFunction(_ x: Float) -> Float
}

struct LeakyKernel: ElementwiseKernel {
    let slope: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : x * slope }
}

struct GELUKernel: ElementwiseKernel {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
}

struct ScaleKernel: ElementwiseKernel {
    let factor: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * factor }
}
