import Imaging

extension ModelSpaceGrid {
    /// Reorients and resamples a source volume into model space (MONAI `Orientation` then `Spacing`, trilinear,
    /// border padding). Returns one channel in model-space layout (axis 2 fastest).
    ///
    /// Trilinear interpolation commutes with the axis permutation/flip of `Orientation`, so both run as one pass
    /// that samples the source directly. When no axis needs resampling the values are copied exactly.
    public func resample(_ volume: Volume) throws(ModelError) -> [Float] {
        guard volume.geometry.isClose(to: source, tolerance: 1e-6) else {
            throw ModelError(.invalidGeometry, "the volume's grid is not the grid this model space was built for")
        }
        let s = geometry.size, n = volume.geometry.size
        let sampler = TrilinearSampler(size: n, stride: SIMD3(1, n.x, n.x * n.y))
        let map = IndexMap(from: geometry, to: source)
        let exact = geometry.spacing == reoriented.spacing
        var out = [Float](repeating: 0, count: voxelCount)
        volume.voxels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let srcBase = src.baseAddress!
                nonisolated(unsafe) let dstBase = dst.baseAddress!
                parallelFor(s.x) { i0 in
                    var o = i0 * s.y * s.z
                    for i1 in 0..<s.y {
                        for i2 in 0..<s.z {
                            let p = map(i0, i1, i2)
                            if exact {
                                let q = SIMD3<Int>(Int(p.x.rounded()), Int(p.y.rounded()), Int(p.z.rounded()))
                                dstBase[o] = srcBase[q.x + n.x * (q.y + n.y * q.z)]
                            } else {
                                dstBase[o] = TrilinearSampler.apply(srcBase, sampler.taps(p))
                            }
                            o += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// Resamples `channels` model-space channels (laid out channel-major, each in model-space layout) back onto
    /// the exact source grid, trilinear in model space with border padding (MONAI `Invertd` of `Spacing` and
    /// `Orientation`). Streams by source z-slice: `body(k, slice)` gets the values of slice k as
    /// [channel][y][x] (x fastest) in a buffer reused for the next slice.
    public func forEachSourceSlice(channels: Int, values: UnsafeBufferPointer<Float>,
                                   _ body: (_ k: Int, _ slice: UnsafeBufferPointer<Float>) throws -> Void) throws {
        precondition(values.count == channels * voxelCount, "model-space buffer size does not match the grid")
        let s = geometry.size, n = source.size
        let sampler = TrilinearSampler(size: s, stride: SIMD3(s.y * s.z, s.z, 1))
        let map = IndexMap(from: source, to: geometry)
        let plane = n.x * n.y
        var slice = [Float](repeating: 0, count: channels * plane)
        let base = values.baseAddress!
        if let taps = separableTaps() {
            let modelPlane = geometry.size[modelAxisOfSource[0]] * geometry.size[modelAxisOfSource[1]]
            let block = Self.sliceBlock
            var planes = [Float](repeating: 0, count: block * channels * modelPlane)
            for k0 in stride(from: 0, to: n.z, by: block) {
                let k1 = min(k0 + block, n.z)
                planes.withUnsafeMutableBufferPointer {
                    separablePlanes(k0: k0, k1: k1, taps: taps[2], channels: channels, values: base, planes: $0.baseAddress!)
                }
                for k in k0..<k1 {
                    planes.withUnsafeBufferPointer { p in
                        slice.withUnsafeMutableBufferPointer { out in
                            separableRows(plane: p.baseAddress! + (k - k0) * channels * modelPlane, taps: taps,
                                          channels: channels, out: out.baseAddress!)
                        }
                    }
                    try slice.withUnsafeBufferPointer { try body(k, $0) }
                }
            }
            return
        }
        for k in 0..<n.z {
            slice.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let outBase = out.baseAddress!
                parallelFor(n.y) { j in
                    for i in 0..<n.x {
                        let taps = sampler.taps(map(i, j, k))
                        for c in 0..<channels {
                            outBase[c * plane + j * n.x + i] = TrilinearSampler.apply(base + c * voxelCount, taps)
                        }
                    }
                }
            }
            try slice.withUnsafeBufferPointer { try body(k, $0) }
        }
    }
}
