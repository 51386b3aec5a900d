/// Interpolation modes of `Functional.interpolate`, as in `F.interpolate`.
public enum InterpolationMode: String, Sendable {
    /// `mode="nearest"` (PyTorch's legacy nearest: `floor(dst * scale)`).
    case nearest
    /// `mode="bilinear"` on `[N, C, H, W]`.
    case bilinear
    /// `mode="trilinear"` on `[N, C, D, H, W]`.
    case trilinear
}

/// Source index table of one axis: output i reads i0[i], i1[i] with weights l0[i], l1[i].
struct AxisTable {
    var i0: [Int], i1: [Int], l0: [Float], l1: [Float]

    init(inSize: Int, outSize: Int, scaleFactor: Double?, mode: InterpolationMode, alignCorners: Bool) {
        i0 = []; i1 = []; l0 = []; l1 = []
        i0.reserveCapacity(outSize)
        if mode == .nearest {
            let scale: Float = scaleFactor.map { Float(1 / $0) } ?? Float(inSize) / Float(outSize)
            for d in 0..<outSize {
                let s: Int
                if outSize == inSize { s = d } else if outSize == 2 * inSize { s = d >> 1 } else {
                    s = min(Int((Float(d) * scale).rounded(.down)), inSize - 1)
                }
                i0.append(s); i1.append(s); l0.append(1); l1.append(0)
            }
            return
        }
        let scale: Float
        if alignCorners {
            scale = outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : 0
        } else {
            scale = scaleFactor.map { Float(1 / $0) } ?? Float(inSize) / Float(outSize)
        }
        for d in 0..<outSize {
            var src = alignCorners ? scale * Float(d) : scale * (Float(d) + 0.5) - 0.5
            if src < 0 { src = 0 }
            let a = min(Int(src), inSize - 1)
            let b = a + (a < inSize - 1 ? 1 : 0)
            let w1 = src - Float(a), w0 = 1 - w1
            i0.append(a); i1.append(b); l0.append(w0); l1.append(w1)
        }
    }
}

extension Functional {
    /// `F.interpolate(x, size=..., scale_factor=..., mode=..., align_corners=...)` for 2-D maps and 3-D volumes.
    ///
    /// Give exactly one of `size` (one value per spatial axis) or `scaleFactor` (one value, or one per axis).
    /// With a scale factor the output size is `floor(in * factor)` and, like PyTorch, the factor itself (not
    /// the size ratio) maps output to input coordinates. `alignCorners` is ignored for `.nearest`.
    public static func interpolate(
        _ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode,
        alignCorners: Bool = false
    ) throws -> Tensor {
        let dims = try spatialDims(x, op: "interpolate")
        if mode == .bilinear && dims != 2 || mode == .trilinear && dims != 3 {
            throw NNError(.shapeMismatch, "interpolate mode \(mode.rawValue) does not fit input \(shapeString(x.shape))")
        }
        let inSize = Array(x.shape.dropFirst(2))
        var outSize: [Int], factors: [Double?]
        switch (size, scaleFactor) {
        case (let s?, nil):
            outSize = try expand(s, to: dims, name: "size"); factors = Array(repeating: nil, count: dims)
        case (nil, let f?):
            guard f.count == 1 || f.count == dims, f.allSatisfy({ $0 > 0 }) else {
                throw NNError(.invalidArgument, "interpolate scaleFactor \(f) needs 1 or \(dims) positive values")
            }
            let ff = f.count == 1 ? Array(repeating: f[0], count: dims) : f
            outSize = zip(inSize, ff).map { Int((Double($0) * $1).rounded(.down)) }; factors = ff
        default:
            throw NNError(.invalidArgument, "interpolate needs exactly one of size and scaleFactor")
        }
        guard outSize.allSatisfy({ $0 > 0 }) else {
            throw NNError(.invalidArgument, "interpolate output size \(outSize) must be positive")
        }
        let tables = (0..<dims).map {
            AxisTable(inSize: inSize[$0], outSize: outSize[$0], scaleFactor: factors[$0], mode: mode,
                      alignCorners: alignCorners)
        }
        let one = AxisTable(inSize: 1, outSize: 1, scaleFactor: nil, mode: .nearest, alignCorners: false)
        let td = dims == 3 ? tables[0] : one, th = tables[dims - 2], tw = tables[dims - 1]
        let (id, ih, iw) = dhw(x.shape)
        let (od, oh, ow) = dhw([0, 0] + outSize)
        let out = Tensor(uninitialized: Array(x.shape.prefix(2)) + outSize)
        let X = x.ptr, O = out.ptr
        let planes = x.shape[0] * x.shape[1]
        parallelFor(planes * od) { job in
            let nc = job / od, z = job % od
            let src = X + nc * id * ih * iw
            let d0 = src + td.i0[z] * ih * iw, d1 = src + td.i1[z] * ih * iw
            let a0 = td.l0[z], a1 = td.l1[z]
            var dst = O + (nc * od + z) * oh * ow
            for y in 0..<oh {
                let r0 = th.i0[y] * iw, r1 = th.i1[y] * iw, b0 = th.l0[y], b1 = th.l1[y]
                for xo in 0..<ow {
                    let c0 = tw.i0[xo], c1 = tw.i1[xo], w0 = tw.l0[xo], w1 = tw.l1[xo]
                    if mode == .nearest {
                        dst[xo] = d0[r0 + c0]
                    } else {
                        let p0 = b0 * (w0 * d0[r0 + c0] + w1 * d0[r0 + c1]) + b1 * (w0 * d0[r1 + c0] + w1 * d0[r1 + c1])
                        if dims == 3 {
                            let p1 = b0 * (w0 * d1[r0 + c0] + w1 * d1[r0 + c1]) + b1 * (w0 * d1[r1 + c0] + w1 * d1[r1 + c1])
                            dst[xo] = a0 * p0 + a1 * p1
                        } else {
                            dst[xo] = p0
                        }
                    }
                }
                dst += ow
            }
        }
        return out
    }
}
