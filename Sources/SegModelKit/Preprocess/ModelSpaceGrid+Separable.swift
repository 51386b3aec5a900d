import Imaging

/// Linear-interpolation taps along one axis with border clamping: lo, hi indices and the weight of hi.
struct AxisTaps {
    var lo: [Int]
    var hi: [Int]
    var weight: [Float]

    /// Taps for positions `base + i·step`, i in 0..<count, on an axis of `size` samples.
    init(base: Double, step: Double, count: Int, size: Int) {
        lo = []; hi = []; weight = []
        lo.reserveCapacity(count); hi.reserveCapacity(count); weight.reserveCapacity(count)
        for i in 0..<count {
            let c = min(max(base + step * Double(i), 0), Double(size - 1))
            let l = min(Int(c), size - 1)
            lo.append(l)
            hi.append(min(l + 1, size - 1))
            weight.append(Float(c - Double(l)))
        }
    }
}

extension ModelSpaceGrid {
    /// Model axis along which each source axis runs (the inverse of `sourceAxis`).
    var modelAxisOfSource: SIMD3<Int> {
        var m = SIMD3<Int>()
        for j in 0..<3 { m[sourceAxis[j]] = j }
        return m
    }

    /// The per-source-axis taps into model space, or nil if the grids are not axis-aligned (they always are:
    /// model space permutes and flips the source axes and rescales them).
    func separableTaps() -> [AxisTaps]? {
        let map = IndexMap(from: source, to: geometry)
        let steps = [map.step0, map.step1, map.step2]
        let m = modelAxisOfSource
        var taps: [AxisTaps] = []
        for a in 0..<3 {
            for j in 0..<3 where j != m[a] && abs(steps[a][j]) > 1e-9 { return nil }
            taps.append(AxisTaps(base: map.base[m[a]], step: steps[a][m[a]], count: source.size[a], size: geometry.size[m[a]]))
        }
        return taps
    }

    /// Source slices resampled together: step 1 reads each model-space run once for the whole block.
    static let sliceBlock = 8

    /// Step 1 of separable resampling for source slices k0..<k1: interpolate between two model slices along the
    /// axis source z runs on, into `planes` = [k − k0][c][model row along source y][model column along source x].
    /// The loops follow model-space memory order, so the reads stream whatever the orientation.
    func separablePlanes(k0: Int, k1: Int, taps: AxisTaps, channels: Int, values: UnsafePointer<Float>,
                         planes: UnsafeMutablePointer<Float>) {
        let s = geometry.size
        let stride = SIMD3(s.y * s.z, s.z, 1)
        let m = modelAxisOfSource
        let (mx, my, mz) = (m[0], m[1], m[2])
        let (px, py) = (s[mx], s[my])
        let planeCount = px * py, voxels = geometry.voxelCount
        let blockStride = channels * planeCount
        nonisolated(unsafe) let (values, planes) = (values, planes)
        parallelFor(channels) { c in
            let src = values + c * voxels
            let dst = planes + c * planeCount
            if stride[mz] == 1 {
                // Source z runs along the fastest model axis: one short contiguous run per (a, b), visited in
                // memory order (the plane axis with the larger stride outermost).
                let aOuter = stride[mx] > stride[my]
                let (outerCount, innerCount) = aOuter ? (px, py) : (py, px)
                for u in 0..<outerCount {
                    for w in 0..<innerCount {
                        let (a, b) = aOuter ? (u, w) : (w, u)
                        let run = src + b * stride[my] + a * stride[mx]
                        for k in k0..<k1 {
                            let v0 = run[taps.lo[k]], v1 = run[taps.hi[k]]
                            dst[(k - k0) * blockStride + b * px + a] = v0 + (v1 - v0) * taps.weight[k]
                        }
                    }
                }
            } else {
                for k in k0..<k1 {
                    let z0 = src + taps.lo[k] * stride[mz], z1 = src + taps.hi[k] * stride[mz], w = taps.weight[k]
                    let out = dst + (k - k0) * blockStride
                    if stride[mx] < stride[my] {
                        for b in 0..<py {
                            for a in 0..<px {
                                let o = b * stride[my] + a * stride[mx]
                                out[b * px + a] = z0[o] + (z1[o] - z0[o]) * w
                            }
                        }
                    } else {
                        for a in 0..<px {
                            for b in 0..<py {
                                let o = b * stride[my] + a * stride[mx]
                                out[b * px + a] = z0[o] + (z1[o] - z0[o]) * w
                            }
                        }
                    }
                }
            }
        }
    }

    /// Steps 2 and 3 of separable resampling for one source slice, from its plane (step 1): per source row,
    /// lerp along the model axis of source y, then along source x, into `out` = [c][y][x].
    func separableRows(plane: UnsafePointer<Float>, taps: [AxisTaps], channels: Int, out: UnsafeMutablePointer<Float>) {
        let s = geometry.size, m = modelAxisOfSource
        let (nx, ny) = (source.size.x, source.size.y)
        let px = s[m[0]]
        let rows = RowResampler(x: taps[0], y: taps[1], px: px, planeCount: px * s[m[1]], channels: channels)
        defer { rows.deallocate() }
        nonisolated(unsafe) let (planeBase, outBase) = (plane, out)
        let chunk = Self.rowChunk
        parallelFor((ny + chunk - 1) / chunk) { t in
            let row = UnsafeMutablePointer<Float>.allocate(capacity: px)
            defer { row.deallocate() }
            for j in t * chunk..<min(ny, (t + 1) * chunk) {
                rows.run(j, plane: planeBase, row: row, out: outBase + j * nx, channelStride: nx * ny)
            }
        }
    }
}
