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

    /// Separable trilinear resampling of one source slice k: interpolate between two model slices along the
    /// axis the source z runs on, then along source y, then along source x. `plane` holds C × (model plane).
    func separableSlice(k: Int, taps: [AxisTaps], channels: Int, values: UnsafePointer<Float>,
                        plane: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let s = geometry.size
        let stride = SIMD3(s.y * s.z, s.z, 1)
        let m = modelAxisOfSource
        let (mx, my, mz) = (m[0], m[1], m[2])
        let (nx, ny) = (source.size.x, source.size.y)
        let (px, py) = (s[mx], s[my])  // model plane sizes along the source x and y directions
        let planeCount = px * py
        let voxels = geometry.voxelCount
        // 1. Lerp along the model axis of source z into plane[c][py][px].
        let z0 = taps[2].lo[k] * stride[mz], z1 = taps[2].hi[k] * stride[mz], wz = taps[2].weight[k]
        nonisolated(unsafe) let planeBase = plane
        parallelFor(channels) { c in
            let src = values + c * voxels
            var o = c * planeCount
            for b in 0..<py {
                let rowOffset = b * stride[my]
                for a in 0..<px {
                    let off = rowOffset + a * stride[mx]
                    let v0 = src[off + z0], v1 = src[off + z1]
                    planeBase[o] = v0 + (v1 - v0) * wz
                    o += 1
                }
            }
        }
        // 2. Per source row j: lerp along y, then along x.
        nonisolated(unsafe) let outBase = out
        let sourcePlane = nx * ny
        let xTaps = taps[0], yTaps = taps[1]
        xTaps.lo.withUnsafeBufferPointer { xlo in
            xTaps.hi.withUnsafeBufferPointer { xhi in
                xTaps.weight.withUnsafeBufferPointer { xw in
                    nonisolated(unsafe) let (xlo, xhi, xw) = (xlo.baseAddress!, xhi.baseAddress!, xw.baseAddress!)
                    parallelFor(ny) { j in
                        let y0 = yTaps.lo[j], y1 = yTaps.hi[j], wy = yTaps.weight[j]
                        let row = UnsafeMutablePointer<Float>.allocate(capacity: px)
                        defer { row.deallocate() }
                        for c in 0..<channels {
                            let p = planeBase + c * planeCount
                            let r0 = p + y0 * px, r1 = p + y1 * px
                            for a in 0..<px { row[a] = r0[a] + (r1[a] - r0[a]) * wy }
                            let o = outBase + c * sourcePlane + j * nx
                            for i in 0..<nx {
                                let v0 = row[xlo[i]], v1 = row[xhi[i]]
                                o[i] = v0 + (v1 - v0) * xw[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
