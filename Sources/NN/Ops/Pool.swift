extension Functional {
    /// `F.max_pool2d` / `F.max_pool3d` without padding (floor mode). `stride` defaults to `kernel`.
    public static func maxPool(_ x: Tensor, kernel: [Int], stride: [Int]? = nil) throws -> Tensor {
        let dims = try spatialDims(x, op: "maxPool")
        let k = try expand(kernel, to: dims, name: "kernel"), st = try expand(stride ?? kernel, to: dims, name: "stride")
        guard k.allSatisfy({ $0 >= 1 }), st.allSatisfy({ $0 >= 1 }) else {
            throw NNError(.invalidArgument, "maxPool kernel \(k) and stride \(st) must be >= 1")
        }
        let inSize = Array(x.shape.dropFirst(2))
        guard zip(inSize, k).allSatisfy({ $0 >= $1 }) else {
            throw NNError(.shapeMismatch, "maxPool kernel \(k) is larger than input \(shapeString(x.shape))")
        }
        let outSize = (0..<dims).map { (inSize[$0] - k[$0]) / st[$0] + 1 }
        let (id, ih, iw) = dhw(x.shape), (od, oh, ow) = dhw([0, 0] + outSize)
        let (kd, kh, kw) = triple(k, one: 1), (sd, sh, sw) = triple(st, one: 1)
        let out = Tensor(uninitialized: Array(x.shape.prefix(2)) + outSize)
        let X = x.ptr, O = out.ptr
        parallelFor(x.shape[0] * x.shape[1] * od) { job in
            let nc = job / od, z = job % od
            let src = X + nc * id * ih * iw
            var dst = O + (nc * od + z) * oh * ow
            if kw == 2 && sw == 2 && kh == 2 && sh == 2 && kd == sd && kd <= 2 {
                // Common 2×2(×2) / stride 2 case: max of two (or four) input rows, pairwise.
                for y in 0..<oh {
                    let r0 = src + ((z * sd) * ih + 2 * y) * iw, r1 = r0 + iw
                    let r2 = kd == 2 ? r0 + ih * iw : r0, r3 = r2 + iw
                    for xo in 0..<ow {
                        let a = max2(max2(r0[2 * xo], r0[2 * xo + 1]), max2(r1[2 * xo], r1[2 * xo + 1]))
                        let b = max2(max2(r2[2 * xo], r2[2 * xo + 1]), max2(r3[2 * xo], r3[2 * xo + 1]))
                        dst[xo] = max2(a, b)
                    }
                    dst += ow
                }
                return
            }
            for y in 0..<oh {
                for xo in 0..<ow {
                    var m = -Float.infinity
                    for a in 0..<kd {
                        for b in 0..<kh {
                            let row = src + ((z * sd + a) * ih + y * sh + b) * iw + xo * sw
                            for c in 0..<kw { m = max2(m, row[c]) }
                        }
                    }
                    dst[xo] = m
                }
                dst += ow
            }
        }
        return out
    }

    /// `F.pad(x, padding, mode="replicate")`; `padding` is in PyTorch's order, last axis first:
    /// `[wLeft, wRight, hTop, hBottom(, dFront, dBack)]`. Covers 1 to 3 trailing axes.
    public static func replicatePad(_ x: Tensor, _ padding: [Int]) throws -> Tensor {
        let dims = try spatialDims(x, op: "replicatePad")
        guard padding.count % 2 == 0, padding.count / 2 <= dims, padding.allSatisfy({ $0 >= 0 }) else {
            throw NNError(.invalidArgument, "replicatePad padding \(padding) needs non-negative pairs for at most \(dims) axes")
        }
        var lo = [Int](repeating: 0, count: 3), hi = [Int](repeating: 0, count: 3)
        for i in 0..<padding.count / 2 { lo[2 - i] = padding[2 * i]; hi[2 - i] = padding[2 * i + 1] }
        let (id, ih, iw) = dhw(x.shape)
        let od = id + lo[0] + hi[0], oh = ih + lo[1] + hi[1], ow = iw + lo[2] + hi[2]
        let outShape = Array(x.shape.prefix(2)) + (dims == 3 ? [od, oh, ow] : [oh, ow])
        if dims == 2 && (lo[0] != 0 || hi[0] != 0) {
            throw NNError(.invalidArgument, "replicatePad padding \(padding) has more pairs than a 2-D map has axes")
        }
        let out = Tensor(uninitialized: outShape)
        let X = x.ptr, O = out.ptr
        parallelFor(x.shape[0] * x.shape[1] * od) { job in
            let nc = job / od, z = job % od
            let sz = min(max(z - lo[0], 0), id - 1)
            for y in 0..<oh {
                let sy = min(max(y - lo[1], 0), ih - 1)
                let src = X + ((nc * id + sz) * ih + sy) * iw
                let dst = O + ((nc * od + z) * oh + y) * ow
                for xo in 0..<ow { dst[xo] = src[min(max(xo - lo[2], 0), iw - 1)] }
            }
        }
        return out
    }
}

/// `max` that propagates NaN like PyTorch's max pooling.
@inline(__always) func max2(_ a: Float, _ b: Float) -> Float { (a > b || a.isNaN) ? a : b }
