/// Geometry of one convolution, with 2-D treated as 3-D of depth 1.
struct ConvShape {
    var n = 0, cin = 0, cout = 0, groups = 1
    var id = 1, ih = 1, iw = 1
    var kd = 1, kh = 1, kw = 1
    var sd = 1, sh = 1, sw = 1
    var pd = 0, ph = 0, pw = 0
    var od = 1, oh = 1, ow = 1
    var cinG: Int { cin / groups }
    var coutG: Int { cout / groups }
    var kernelVolume: Int { kd * kh * kw }
    var inPlane: Int { id * ih * iw }
    var outPlane: Int { od * oh * ow }
}

extension Functional {
    /// Marker for "use the default tile size" (the real bound is `defaultStride1TileElements`).
    static let defaultConvTileElements = 4 << 20

    /// N-d convolution like `F.conv2d` / `F.conv3d` (dilation 1).
    ///
    /// - Parameters:
    ///   - x: `[N, Cin, H, W]` or `[N, Cin, D, H, W]`.
    ///   - weight: `[Cout, Cin/groups, kH, kW]` or `[Cout, Cin/groups, kD, kH, kW]`.
    ///   - bias: `[Cout]` or nil.
    ///   - stride, padding: one value or one per spatial axis (zero padding).
    ///   - groups: channel groups; `groups == Cin` is a depthwise convolution.
    public static func conv(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0], groups: Int = 1
    ) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups,
                 tileElements: defaultConvTileElements)
    }

    /// `conv` with an explicit im2col tile bound (tests force small tiles with it).
    static func conv(
        _ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], groups: Int, tileElements: Int
    ) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups, epilogue: .none,
                 split: nil, tileElements: tileElements)[0]
    }

    /// The convolution behind every public entry: output channels go through a `ConvSink` (bias, epilogue,
    /// optional split into several tensors).
    static func conv(
        _ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], groups: Int,
        epilogue: ConvEpilogue, split: [Int]?, tileElements: Int
    ) throws -> [Tensor] {
        let s = try convShape(x.shape, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
        let (outs, sink) = try makeSink(s, rank: x.rank, bias: bias, epilogue: epilogue, split: split)
        let X = x.ptr, W = weight.ptr
        let P = s.outPlane
        let K = s.cinG * s.kernelVolume
        let cap = tileElements == defaultConvTileElements ? defaultStride1TileElements : tileElements
        let pointwise = s.kernelVolume == 1 && s.sd == 1 && s.sh == 1 && s.sw == 1 && s.pd == 0 && s.ph == 0 && s.pw == 0
        if !pointwise && s.sd == 1 && s.sh == 1 && s.sw == 1 && !(s.cinG == 1 && s.groups > 1) {
            let direct = s.coutG <= directMaxChannels && K <= directMaxK && tileElements == defaultConvTileElements
            for b in 0..<s.n {
                for g in 0..<s.groups {
                    let base = X + (b * s.cin + g * s.cinG) * s.inPlane
                    let xs = (0..<s.cinG).map { UnsafePointer(base + $0 * s.inPlane) }
                    if direct {
                        convStride1Direct(s, x: xs, w: W + g * s.coutG * K, sink: sink, batch: b, channels: g * s.coutG)
                    } else {
                        convStride1(s, x: xs, w: W + g * s.coutG * K, sink: sink, batch: b, channels: g * s.coutG,
                                    tileElements: cap)
                    }
                }
            }
            return withExtendedLifetime((x, weight, bias, epilogue)) { outs }
        }
        if s.cinG == 1 && s.groups > 1 {
            // Depthwise: direct accumulation into the output, then the epilogue in place.
            let temp = Tensor(uninitialized: sink.contiguous == nil ? [s.n * s.cout * P] : [1])
            let D = sink.contiguous ?? temp.ptr
            fillBias(D, bias: bias, n: s.n, channels: s.cout, plane: P)
            depthwise(s, X, W, D)
            if !sink.isPlain { finishInPlace(s, D, sink: sink, biasAdded: true) }
            return withExtendedLifetime((x, weight, bias, epilogue, temp)) { outs }
        }
        if pointwise && sink.isPlain, let O = sink.contiguous {
            fillBias(O, bias: bias, n: s.n, channels: s.cout, plane: P)
            let beta: Float = bias == nil ? 0 : 1
            for b in 0..<s.n {
                for g in 0..<s.groups {
                    BLAS.sgemm(m: s.coutG, n: P, k: K, a: W + g * s.coutG * K, lda: K,
                               b: X + (b * s.cin + g * s.cinG) * P, ldb: P,
                               beta: beta, c: O + (b * s.cout + g * s.coutG) * P, ldc: P)
                }
            }
            return withExtendedLifetime((x, weight, bias)) { outs }
        }
        // Strided (or otherwise general) convolution: work items are (batch, group, block of output rows);
        // each worker fills its own bounded im2col tile, multiplies it into a result tile and hands the rows
        // to the sink. The row blocks are balanced over the workers (small planes have few rows).
        let rows = s.od * s.oh
        let byCache = max(1, min(rows, cap / max(1, (K + s.coutG) * s.ow)))  // im2col and result tiles
        let workers = threadCount()
        var tiles = (rows + byCache - 1) / byCache
        if s.n * s.groups == 1 && tiles % workers != 0 {
            tiles = min(rows, (tiles + workers - 1) / workers * workers)
        }
        let rowsPerTile = (rows + tiles - 1) / tiles
        tiles = (rows + rowsPerTile - 1) / rowsPerTile
        parallelChunks(s.n * s.groups * tiles) { items in
            let scratch = Scratch(count: K * rowsPerTile * s.ow), col = scratch.pointer
            let result = Scratch(count: s.coutG * rowsPerTile * s.ow), R = result.pointer
            for item in items {
                let t = item % tiles, bg = item / tiles, g = bg % s.groups, b = bg / s.groups
                let r0 = t * rowsPerTile, r1 = min(rows, r0 + rowsPerTile)
                let ncol = (r1 - r0) * s.ow
                im2col(s, X + (b * s.cin + g * s.cinG) * s.inPlane, col, rows: r0..<r1, ld: ncol)
                BLAS.sgemmSerial(m: s.coutG, n: ncol, k: K, a: W + g * s.coutG * K, lda: K, b: col, ldb: ncol,
                                 c: R, ldc: ncol)
                for co in 0..<s.coutG {
                    sink.store(batch: b, channel: g * s.coutG + co, offset: r0 * s.ow, from: R + co * ncol, count: ncol)
                }
            }
        }
        return withExtendedLifetime((x, weight, bias, epilogue)) { outs }
    }

    /// Runs the sink over outputs already computed in `o` (contiguous [N, Cout, plane]), in place when the
    /// sink writes to `o` itself. `biasAdded`: `o` already holds the bias.
    static func finishInPlace(_ s: ConvShape, _ o: UnsafeMutablePointer<Float>, sink: ConvSink, biasAdded: Bool) {
        let plain = ConvSink(tables: sink.tables, cout: sink.cout, bias: biasAdded ? nil : sink.bias,
                             residual: sink.residual, plane: sink.plane, contiguous: sink.contiguous)
        parallelFor(s.n * s.cout, minChunk: max(1, 65536 / max(1, s.outPlane))) { nc in
            plain.store(batch: nc / s.cout, channel: nc % s.cout, offset: 0, from: o + nc * s.outPlane, count: s.outPlane)
        }
    }

    static func convShape(
        _ xShape: [Int], weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], groups: Int
    ) throws -> ConvShape {
        guard xShape.count == 4 || xShape.count == 5 else {
            throw NNError(.shapeMismatch, "conv expects [N, C, H, W] or [N, C, D, H, W], got \(shapeString(xShape))")
        }
        let dims = xShape.count - 2
        let x = (shape: xShape, rank: xShape.count)
        guard weight.rank == x.rank else {
            throw NNError(.shapeMismatch, "conv weight \(shapeString(weight.shape)) does not fit input \(shapeString(x.shape))")
        }
        guard groups >= 1, x.shape[1] % groups == 0, weight.shape[0] % groups == 0,
              weight.shape[1] * groups == x.shape[1] else {
            throw NNError(.shapeMismatch, "conv with groups=\(groups): input \(shapeString(x.shape)) and weight \(shapeString(weight.shape)) disagree on channels")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw NNError(.shapeMismatch, "conv bias \(shapeString(bias.shape)) should be [\(weight.shape[0])]")
        }
        let st = try expand(stride, to: dims, name: "stride"), pa = try expand(padding, to: dims, name: "padding")
        guard st.allSatisfy({ $0 >= 1 }), pa.allSatisfy({ $0 >= 0 }) else {
            throw NNError(.invalidArgument, "conv stride \(st) must be >= 1 and padding \(pa) >= 0")
        }
        var s = ConvShape()
        s.n = x.shape[0]; s.cin = x.shape[1]; s.cout = weight.shape[0]; s.groups = groups
        (s.id, s.ih, s.iw) = dhw(x.shape)
        (s.kd, s.kh, s.kw) = dhw(weight.shape)
        (s.sd, s.sh, s.sw) = triple(st, one: 1)
        (s.pd, s.ph, s.pw) = triple(pa, one: 0)
        s.od = (s.id + 2 * s.pd - s.kd) / s.sd + 1
        s.oh = (s.ih + 2 * s.ph - s.kh) / s.sh + 1
        s.ow = (s.iw + 2 * s.pw - s.kw) / s.sw + 1
        guard s.id + 2 * s.pd >= s.kd, s.ih + 2 * s.ph >= s.kh, s.iw + 2 * s.pw >= s.kw else {
            throw NNError(.shapeMismatch, "conv kernel \(shapeString(Array(weight.shape.dropFirst(2)))) is larger than the padded input \(shapeString(x.shape))")
        }
        return s
    }

    /// Writes the bias (or zeros) into every output plane.
    static func fillBias(_ o: UnsafeMutablePointer<Float>, bias: Tensor?, n: Int, channels: Int, plane: Int) {
        parallelFor(n * channels, minChunk: max(1, 65536 / max(1, plane))) { nc in
            let v = bias.map { $0.ptr[nc % channels] } ?? 0
            (o + nc * plane).update(repeating: v, count: plane)
        }
    }
}
