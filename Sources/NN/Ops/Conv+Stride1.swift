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
    static func convStride1(_ s: ConvShape, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                            bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, tileElements: Int) {
        let hp = s.ih + 2 * s.ph, wp = s.iw + 2 * s.pw, plane = hp * wp
        let slack = (s.kh - 1) * wp + (s.kw - 1)
        let cinG = s.cinG, kv = s.kernelVolume, K = cinG * kv, khw = s.kh * s.kw
        let slabStride = s.kd * plane + slack
        // Only padded rows 0..<oh hold valid outputs; columns beyond them are skipped.
        let usedPositions = (s.oh - 1) * wp + s.ow
        let n = max(16, min(usedPositions, tileElements / max(1, K)))
        let tilesPerPlane = (usedPositions + n - 1) / n
        let items = s.od * tilesPerPlane
        let outPlane = s.oh * s.ow
        parallelChunks(items) { range in
            let slab = Scratch(count: cinG * slabStride), col = Scratch(count: K * n), res = Scratch(count: s.coutG * n)
            let S = slab.pointer, C = col.pointer, R = res.pointer
            var currentPlane = -1
            for item in range {
                let od = item / tilesPerPlane, tile = item % tilesPerPlane
                if od != currentPlane {
                    padSlab(s, x: x, od: od, slab: S, slabStride: slabStride, plane: plane, wp: wp)
                    currentPlane = od
                }
                let p0 = tile * n, nn = min(n, usedPositions - p0)
                for k in 0..<K {
                    let ci = k / kv, r = k % kv
                    let kd = r / khw, kh = (r % khw) / s.kw, kw = r % s.kw
                    (C + k * nn).update(from: S + ci * slabStride + kd * plane + kh * wp + kw + p0, count: nn)
                }
                BLAS.sgemmSerial(m: s.coutG, n: nn, k: K, a: w, lda: K, b: C, ldb: nn, c: R, ldc: nn)
                // Scatter the valid columns of padded rows overlapping [p0, p0 + nn), adding the bias.
                let firstRow = p0 / wp, lastRow = (p0 + nn - 1) / wp
                for co in 0..<s.coutG {
                    let b = bias?[co] ?? 0
                    let src = R + co * nn, dstC = out + co * s.outPlane + od * outPlane
                    for y in firstRow...lastRow {
                        let rowStart = y * wp
                        let lo = max(rowStart, p0), hi = min(rowStart + s.ow, p0 + nn)
                        if lo >= hi { continue }
                        let d = dstC + y * s.ow + (lo - rowStart), sp = src + (lo - p0)
                        for i in 0..<(hi - lo) { d[i] = sp[i] + b }
                    }
                }
            }
        }
    }

    /// Zero-padded copy of the input planes feeding output plane `od` (kd planes, then `slack` zeros).
    static func padSlab(_ s: ConvShape, x: UnsafePointer<Float>, od: Int, slab: UnsafeMutablePointer<Float>,
                        slabStride: Int, plane: Int, wp: Int) {
        for ci in 0..<s.cinG {
            let dst = slab + ci * slabStride, src = x + ci * s.inPlane
            for j in 0..<s.kd {
                let z = od + j - s.pd, dp = dst + j * plane
                if z < 0 || z >= s.id { dp.update(repeating: 0, count: plane); continue }
                if s.ph > 0 { dp.update(repeating: 0, count: s.ph * wp) }
                for y in 0..<s.ih {
                    let row = dp + (y + s.ph) * wp
                    if s.pw > 0 {
                        row.update(repeating: 0, count: s.pw)
                        (row + s.pw + s.iw).update(repeating: 0, count: s.pw)
                    }
                    (row + s.pw).update(from: src + (z * s.ih + y) * s.iw, count: s.iw)
                }
                if s.ph > 0 { (dp + (s.ph + s.ih) * wp).update(repeating: 0, count: s.ph * wp) }
            }
            (dst + s.kd * plane).update(repeating: 0, count: slabStride - s.kd * plane)
        }
    }
}
