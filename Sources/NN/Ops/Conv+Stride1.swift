extension Functional {
    /// Default im2col tile of the stride-1 path, in floats (1 MiB: the tile stays in a core's L2 cache
    /// between im2col and OpenBLAS's packing).
    static let defaultStride1TileElements = 256 << 10

    /// Stride-1 convolution of one group, each worker thread on its own zero-padded slab and tiles.
    ///
    /// Outputs are computed on the padded grid (row length `Wp`, plane `Hp·Wp`), where the input element for
    /// kernel offset (kd, kh, kw) is simply `p + kd·Hp·Wp + kh·Wp + kw`. Each im2col row of a tile is therefore
    /// one contiguous copy, and the few garbage columns (ow ≥ Wo, oh ≥ Ho) are dropped when the GEMM result
    /// is scattered into the output (with the bias added). Work items are (output plane, column tile) pairs;
    /// each worker pads the `kd` input planes of its current output plane into a private slab, fills a col
    /// tile of at most `tileElements` floats and runs a single-threaded GEMM on it. Memory per worker:
    /// slab `Cin/g · (kd · Hp·Wp + slack)`, col tile, and a result tile `Cout/g × n`.
    ///
    /// `x` holds one base pointer per input channel of the group (channels may live in different tensors:
    /// a convolution of a channel concatenation needs no concatenated copy).
    /// Results go to `sink` as (batch `batch`, output channel `channels + co`).
    static func convStride1(_ s: ConvShape, x: [UnsafePointer<Float>], w: UnsafePointer<Float>,
                            sink: ConvSink, batch: Int, channels: Int, tileElements: Int) {
        let hp = s.ih + 2 * s.ph, wp = s.iw + 2 * s.pw, plane = hp * wp
        let slack = (s.kh - 1) * wp + (s.kw - 1)
        let cinG = s.cinG, kv = s.kernelVolume, K = cinG * kv, khw = s.kh * s.kw
        let slabStride = s.kd * plane + slack
        // Only padded rows 0..<oh hold valid outputs; columns beyond them are skipped.
        let usedPositions = (s.oh - 1) * wp + s.ow
        // Columns per tile: the L2 budget, but at least 256 so that repacking the weights per call stays
        // cheap for wide layers, and small enough that every worker gets work.
        let workers = threadCount()
        let fair = max(16, (s.od * usedPositions + workers - 1) / workers)
        var n = max(1, min(usedPositions, fair, max(min(256, tileElements / 16), tileElements / max(1, K))))
        if s.od == 1 {
            // One plane (2-D): equal tiles, as many as a multiple of the workers, so no worker idles at the end.
            let tiles = ((usedPositions + n - 1) / n + workers - 1) / workers * workers
            n = max(1, (usedPositions + tiles - 1) / tiles)
        }
        let tilesPerPlane = (usedPositions + n - 1) / n
        let items = s.od * tilesPerPlane
        let outPlane = s.oh * s.ow
        if s.coutG >= outPlane && threadCount() > 1 && K * outPlane <= 4 << 20 {
            // Few positions, many channels (deep layers): the weights outweigh the im2col tile, so build one
            // tile per plane and split the product over output channels instead of positions.
            convStride1WideChannels(s, x: x, w: w, sink: sink, batch: batch, channels: channels)
            return
        }
        parallelChunks(items) { range in
            let slab = Scratch(count: cinG * slabStride), col = Scratch(count: K * n), res = Scratch(count: s.coutG * n)
            let S = slab.pointer, C = col.pointer, R = res.pointer
            var currentPlane = -1
            for item in range {
                let od = item / tilesPerPlane, tile = item % tilesPerPlane
                if od != currentPlane {
                    // Only the padded rows this worker's tiles of plane od read.
                    let firstTile = max(range.lowerBound, od * tilesPerPlane) - od * tilesPerPlane
                    let lastTile = min(range.upperBound - 1, od * tilesPerPlane + tilesPerPlane - 1) - od * tilesPerPlane
                    let lastPos = min(usedPositions, (lastTile + 1) * n) - 1 + slack
                    padSlab(s, x: x, od: od, slab: S, slabStride: slabStride, plane: plane, wp: wp,
                            rows: (firstTile * n) / wp..<(lastPos / wp + 1))
                    currentPlane = od
                }
                let p0 = tile * n, nn = min(n, usedPositions - p0)
                for k in 0..<K {
                    let ci = k / kv, r = k % kv
                    let kd = r / khw, kh = (r % khw) / s.kw, kw = r % s.kw
                    (C + k * nn).update(from: S + ci * slabStride + kd * plane + kh * wp + kw + p0, count: nn)
                }
                BLAS.sgemmSerial(m: s.coutG, n: nn, k: K, a: w, lda: K, b: C, ldb: nn, c: R, ldc: nn)
                // Hand the valid columns of padded rows overlapping [p0, p0 + nn) to the sink.
                let firstRow = p0 / wp, lastRow = (p0 + nn - 1) / wp
                for co in 0..<s.coutG {
                    let src = R + co * nn
                    for y in firstRow...lastRow {
                        let rowStart = y * wp
                        let lo = max(rowStart, p0), hi = min(rowStart + s.ow, p0 + nn)
                        if lo >= hi { continue }
                        sink.store(batch: batch, channel: channels + co, offset: od * outPlane + y * s.ow + (lo - rowStart),
                                   from: src + (lo - p0), count: hi - lo)
                    }
                }
            }
        }
    }

    /// `convStride1` for layers with more output channels than positions per plane: per output plane, one
    /// shared exact im2col tile of its `oh·ow` positions (no padded-grid columns: at 16² those would be 12 %
    /// of the work), and a GEMM split over output-channel rows.
    static func convStride1WideChannels(_ s: ConvShape, x: [UnsafePointer<Float>], w: UnsafePointer<Float>,
                                        sink: ConvSink, batch: Int, channels: Int) {
        let K = s.cinG * s.kernelVolume
        let P = s.oh * s.ow
        let col = Scratch(count: K * P), res = Scratch(count: s.coutG * P)
        let C = col.pointer, R = res.pointer
        for od in 0..<s.od {
            parallelChunks(K, minChunk: 64) { ks in
                im2col(s, channel: { x[$0] }, C, rows: od * s.oh..<(od + 1) * s.oh, ld: P, kernelRows: ks)
            }
            // Each worker multiplies a block of output channels (multiples of 16 rows) and finishes them
            // while they are in cache.
            let blocks = min(threadCount(), max(1, s.coutG / 16))
            parallelChunks(blocks) { r in
                for blk in r {
                    let i0 = s.coutG * blk / blocks / 16 * 16
                    let i1 = blk == blocks - 1 ? s.coutG : s.coutG * (blk + 1) / blocks / 16 * 16
                    if i1 <= i0 { continue }
                    BLAS.sgemmSerial(m: i1 - i0, n: P, k: K, a: w + i0 * K, lda: K, b: C, ldb: P, c: R + i0 * P, ldc: P)
                    for co in i0..<i1 {
                        sink.store(batch: batch, channel: channels + co, offset: od * P, from: R + co * P, count: P)
                    }
                }
            }
        }
    }

    /// Zero-padded copy of the input planes feeding output plane `od` (kd planes, then `slack` zeros).
    /// Only padded rows in `rows` (clamped to the plane) are written; a tile never reads other rows except as
    /// garbage columns, which are discarded.
    static func padSlab(_ s: ConvShape, x: [UnsafePointer<Float>], od: Int, slab: UnsafeMutablePointer<Float>,
                        slabStride: Int, plane: Int, wp: Int, rows: Range<Int>? = nil) {
        let hp = plane / wp
        let yLo = max(0, rows?.lowerBound ?? 0), yHi = min(hp, rows?.upperBound ?? hp)
        for ci in 0..<s.cinG {
            let dst = slab + ci * slabStride, src = x[ci]
            for j in 0..<s.kd {
                let z = od + j - s.pd, dp = dst + j * plane
                if z < 0 || z >= s.id {
                    if yHi > yLo { (dp + yLo * wp).update(repeating: 0, count: (yHi - yLo) * wp) }
                    continue
                }
                for py in yLo..<max(yLo, yHi) {
                    let row = dp + py * wp, y = py - s.ph
                    if y < 0 || y >= s.ih { row.update(repeating: 0, count: wp); continue }
                    if s.pw > 0 {
                        row.update(repeating: 0, count: s.pw)
                        (row + s.pw + s.iw).update(repeating: 0, count: s.pw)
                    }
                    (row + s.pw).update(from: src + (z * s.ih + y) * s.iw, count: s.iw)
                }
            }
            (dst + s.kd * plane).update(repeating: 0, count: slabStride - s.kd * plane)
        }
    }
}

extension Functional {
    /// `conv(concat(inputs, axis: 1), ...)` without materialising the concatenation (U-Net decoders convolve
    /// `[skip, upsampled]`). All inputs share batch and spatial size; `weight.shape[1]` is their total channel
    /// count. Stride-1 convolutions read the inputs in place; other cases fall back to a real concatenation.
    public static func conv(
        concatenating inputs: [Tensor], weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
        epilogue: ConvEpilogue = .none
    ) throws -> Tensor {
        guard let first = inputs.first else { throw NNError(.invalidArgument, "conv of an empty concatenation") }
        for t in inputs where t.rank != first.rank || t.shape[0] != first.shape[0] || t.shape.dropFirst(2) != first.shape.dropFirst(2) {
            throw NNError(.shapeMismatch, "conv(concatenating:): \(shapeString(t.shape)) does not fit \(shapeString(first.shape))")
        }
        let channels = inputs.reduce(0) { $0 + $1.shape[1] }
        var virtualShape = first.shape
        virtualShape[1] = channels
        let s = try convShape(virtualShape, weight: weight, bias: bias, stride: stride, padding: padding, groups: 1)
        let pointwise = s.kernelVolume == 1 && s.pd == 0 && s.ph == 0 && s.pw == 0
        guard s.sd == 1, s.sh == 1, s.sw == 1, !pointwise, s.n == 1 else {
            return try conv(try concat(inputs, axis: 1), weight: weight, bias: bias, stride: stride, padding: padding,
                            epilogue: epilogue)
        }
        let (outs, sink) = try makeSink(s, rank: first.rank, bias: bias, epilogue: epilogue, split: nil)
        var pointers: [UnsafePointer<Float>] = []
        for t in inputs { for c in 0..<t.shape[1] { pointers.append(UnsafePointer(t.ptr + c * s.inPlane)) } }
        convStride1(s, x: pointers, w: weight.ptr, sink: sink, batch: 0, channels: 0,
                    tileElements: defaultStride1TileElements)
        return withExtendedLifetime((inputs, weight, bias, epilogue)) { outs[0] }
    }
}
