extension Functional {
    /// Transposed convolution like `F.conv_transpose2d` / `F.conv_transpose3d` (dilation 1, groups 1).
    ///
    /// - Parameters:
    ///   - x: `[N, Cin, H, W]` or `[N, Cin, D, H, W]`.
    ///   - weight: `[Cin, Cout, kH, kW]` or `[Cin, Cout, kD, kH, kW]` (PyTorch's layout).
    ///   - bias: `[Cout]` or nil.
    ///   - stride, padding, outputPadding: one value or one per spatial axis.
    /// Output size per axis: `(in - 1) * stride - 2 * padding + kernel + outputPadding`.
    public static func convTranspose(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
        outputPadding: [Int] = [0]
    ) throws -> Tensor {
        try convTranspose(x, weight: weight, bias: bias, stride: stride, padding: padding,
                          outputPadding: outputPadding, tileElements: defaultConvTileElements)
    }

    /// `convTranspose(concat(inputs, axis: 1), ...)` followed by `epilogue`, without materialising the
    /// concatenation (U-Net decoders upsample `[skip, deeper]`): the GEMM accumulates over the inputs in turn.
    /// With a batch norm folded into the weights (`ConvTranspose.folding`) this is `convT → BN → act`.
    public static func convTranspose(
        concatenating inputs: [Tensor], weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1],
        padding: [Int] = [0], outputPadding: [Int] = [0], epilogue: ConvEpilogue = .none
    ) throws -> Tensor {
        try convTranspose(inputs, weight: weight, bias: bias, stride: stride, padding: padding,
                          outputPadding: outputPadding, epilogue: epilogue, tileElements: defaultConvTileElements)
    }

    static func convTranspose(
        _ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], outputPadding: [Int],
        tileElements: Int
    ) throws -> Tensor {
        try convTranspose([x], weight: weight, bias: bias, stride: stride, padding: padding,
                          outputPadding: outputPadding, epilogue: .none, tileElements: tileElements)
    }

    static func convTranspose(
        _ inputs: [Tensor], weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], outputPadding: [Int],
        epilogue: ConvEpilogue, tileElements: Int
    ) throws -> Tensor {
        guard let x = inputs.first else { throw NNError(.invalidArgument, "convTranspose of an empty concatenation") }
        let dims = try spatialDims(x, op: "convTranspose")
        for t in inputs where t.rank != x.rank || t.shape[0] != x.shape[0] || t.shape.dropFirst(2) != x.shape.dropFirst(2) {
            throw NNError(.shapeMismatch, "convTranspose(concatenating:): \(shapeString(t.shape)) does not fit \(shapeString(x.shape))")
        }
        let cin = inputs.reduce(0) { $0 + $1.shape[1] }
        guard weight.rank == x.rank, weight.shape[0] == cin else {
            throw NNError(.shapeMismatch, "convTranspose weight \(shapeString(weight.shape)) does not fit input \(shapeString(x.shape)) (weight is [Cin, Cout, k...])")
        }
        let cout = weight.shape[1]
        if let bias, bias.shape != [cout] {
            throw NNError(.shapeMismatch, "convTranspose bias \(shapeString(bias.shape)) should be [\(cout)]")
        }
        let st = try expand(stride, to: dims, name: "stride"), pa = try expand(padding, to: dims, name: "padding")
        let op = try expand(outputPadding, to: dims, name: "outputPadding")
        guard st.allSatisfy({ $0 >= 1 }), pa.allSatisfy({ $0 >= 0 }),
              zip(op, st).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw NNError(.invalidArgument, "convTranspose needs stride >= 1, padding >= 0, 0 <= outputPadding < stride; got \(st), \(pa), \(op)")
        }
        // Reuse ConvShape with "input" = the transposed conv's input and "output" = its output.
        var s = ConvShape()
        s.n = x.shape[0]; s.cin = cin; s.cout = cout
        (s.id, s.ih, s.iw) = dhw(x.shape)
        (s.kd, s.kh, s.kw) = dhw(weight.shape)
        (s.sd, s.sh, s.sw) = triple(st, one: 1)
        (s.pd, s.ph, s.pw) = triple(pa, one: 0)
        let (opd, oph, opw) = triple(op, one: 0)
        s.od = (s.id - 1) * s.sd - 2 * s.pd + s.kd + opd
        s.oh = (s.ih - 1) * s.sh - 2 * s.ph + s.kh + oph
        s.ow = (s.iw - 1) * s.sw - 2 * s.pw + s.kw + opw
        guard s.od > 0, s.oh > 0, s.ow > 0 else {
            throw NNError(.shapeMismatch, "convTranspose output of \(shapeString(x.shape)) would be empty")
        }
        // The epilogue runs in place on the finished output (the sink writes where it reads).
        let (outs, finish) = try makeSink(s, rank: x.rank, bias: nil, epilogue: epilogue, split: nil)
        let out = outs[0]
        let W = weight.ptr, O = out.ptr
        // Kernel == stride, no padding: every output element receives exactly one product, so col2im can
        // store (with the bias) instead of accumulating into a pre-filled output.
        let disjoint = s.kd == s.sd && s.kh == s.sh && s.kw == s.sw && s.pd == 0 && s.ph == 0 && s.pw == 0
            && opd == 0 && oph == 0 && opw == 0
        if !disjoint { fillBias(O, bias: bias, n: s.n, channels: cout, plane: s.outPlane) }
        let B = disjoint ? bias?.ptr : nil
        let kv = s.kernelVolume
        let rows = s.id * s.ih
        let tileCap = tileElements == defaultConvTileElements ? defaultStride1TileElements : tileElements
        // Workers own disjoint output-channel blocks, so overlapping kernels never race.
        let workers = min(threadCount(), cout)
        parallelChunks(workers) { wr in
            for wkr in wr {
                let c0 = cout * wkr / workers, c1 = cout * (wkr + 1) / workers
                let m = (c1 - c0) * kv
                let rowsPerTile = max(1, min(rows, tileCap / max(1, m * s.iw)))
                let scratch = Scratch(count: m * rowsPerTile * s.iw), col = scratch.pointer
                for b in 0..<s.n {
                    var r0 = 0
                    while r0 < rows {
                        let r1 = min(rows, r0 + rowsPerTile)
                        let ncol = (r1 - r0) * s.iw
                        // col[m, ncol] = Wᵀ[rows of channels c0..<c1, Cin] · x[Cin, ncol], over the inputs in turn
                        var ci = 0
                        for t in inputs {
                            let c = t.shape[1]
                            BLAS.sgemmSerial(transA: true, m: m, n: ncol, k: c, a: W + ci * cout * kv + c0 * kv,
                                             lda: cout * kv, b: t.ptr + b * c * s.inPlane + r0 * s.iw, ldb: s.inPlane,
                                             beta: ci == 0 ? 0 : 1, c: col, ldc: ncol)
                            ci += c
                        }
                        col2im(s, col, O + b * cout * s.outPlane, channels: c0..<c1, rows: r0..<r1, ld: ncol,
                               store: disjoint, bias: B)
                        r0 = r1
                    }
                    // This worker's channels are complete: activation (and residual) while they are warm.
                    if !epilogue.isNone {
                        for co in c0..<c1 {
                            let p = O + (b * cout + co) * s.outPlane
                            finish.store(batch: b, channel: co, offset: 0, from: p, count: s.outPlane)
                        }
                    }
                }
            }
        }
        return withExtendedLifetime((inputs, weight, bias, epilogue)) { out }
    }

    /// Scatter-adds (or, with `store`, writes plus `bias`) `col[(co - c0, kd, kh, kw)][(r - rows.lowerBound) * iw + i]` into the output; the caller owns
    /// output `channels`, so no two threads write the same element.
    static func col2im(_ s: ConvShape, _ col: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                       channels: Range<Int>, rows: Range<Int>, ld: Int, store: Bool = false,
                       bias: UnsafeMutablePointer<Float>? = nil) {
        let kv = s.kernelVolume
        for co in channels {
            let oc = o + co * s.outPlane
            let bv = bias?[co] ?? 0
            for kd in 0..<s.kd {
                for kh in 0..<s.kh {
                    for kw in 0..<s.kw {
                        let k = ((co - channels.lowerBound) * kv) + (kd * s.kh + kh) * s.kw + kw
                        var src = col + k * ld
                        // input column i lands at output column i*sw - pw + kw
                        let off = kw - s.pw
                        var lo = 0, hi = s.iw
                        while lo < s.iw && lo * s.sw + off < 0 { lo += 1 }
                        while hi > lo && (hi - 1) * s.sw + off >= s.ow { hi -= 1 }
                        for r in rows {
                            let zd = (r / s.ih) * s.sd - s.pd + kd, yh = (r % s.ih) * s.sh - s.ph + kh
                            if zd >= 0 && zd < s.od && yh >= 0 && yh < s.oh {
                                let dst = oc + (zd * s.oh + yh) * s.ow + off
                                if store {
                                    for i in lo..<hi { dst[i * s.sw] = src[i] + bv }
                                } else if s.sw == 1 {
                                    for i in lo..<hi { dst[i] += src[i] }
                                } else {
                                    for i in lo..<hi { dst[i * s.sw] += src[i] }
                                }
                            }
                            src += s.iw
                        }
                    }
                }
            }
        }
    }
}
