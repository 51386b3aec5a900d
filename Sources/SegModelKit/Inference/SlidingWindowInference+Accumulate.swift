extension SlidingWindowInference {
    /// Adds one window's output × importance into the (unpadded) accumulator.
    func accumulate(_ out: [Float], at offset: Int, channels: Int, weights: [Float], start: SIMD3<Int>,
                    plan: SlidingWindowPlan, into acc: inout [Float]) {
        let s = plan.shape, r = plan.roi, pad = plan.padBefore
        let voxels = s[0] * s[1] * s[2], roiVoxels = r[0] * r[1] * r[2]
        // Window-local range that falls inside the unpadded image, per axis.
        var lo = SIMD3<Int>(), hi = SIMD3<Int>()
        for d in 0..<3 {
            lo[d] = max(0, pad[d] - start[d])
            hi[d] = min(r[d], s[d] + pad[d] - start[d])
            if lo[d] >= hi[d] { return }
        }
        out.withUnsafeBufferPointer { o in
            weights.withUnsafeBufferPointer { w in
                acc.withUnsafeMutableBufferPointer { a in
                    for c in 0..<channels {
                        let oc = offset + c * roiVoxels, ac = c * voxels
                        for z0 in lo[0]..<hi[0] {
                            let x0 = start[0] + z0 - pad[0]
                            for z1 in lo[1]..<hi[1] {
                                let x1 = start[1] + z1 - pad[1]
                                let local = (z0 * r[1] + z1) * r[2]
                                let global = ac + (x0 * s[1] + x1) * s[2] + start[2] - pad[2]
                                for z2 in lo[2]..<hi[2] {
                                    a[global + z2] += o[oc + local + z2] * w[local + z2]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Divides by the summed importance of the windows covering each voxel (MONAI's count map), computed from
    /// the window layout in MONAI's window order instead of stored.
    func normalise(_ acc: inout [Float], channels: Int, weights: [Float], plan: SlidingWindowPlan) {
        let s = plan.shape, r = plan.roi
        let voxels = s[0] * s[1] * s[2]
        let cover = (0..<3).map { plan.coveringOffsets(axis: $0) }
        acc.withUnsafeMutableBufferPointer { a in
            nonisolated(unsafe) let base = a.baseAddress!
            weights.withUnsafeBufferPointer { w in
                nonisolated(unsafe) let wb = w.baseAddress!
                parallelFor(s[0]) { x0 in
                    for x1 in 0..<s[1] {
                        for x2 in 0..<s[2] {
                            var count: Float = 0
                            for a0 in cover[0][x0] {
                                for a1 in cover[1][x1] {
                                    let row = (a0 * r[1] + a1) * r[2]
                                    for a2 in cover[2][x2] { count += wb[row + a2] }
                                }
                            }
                            let v = (x0 * s[1] + x1) * s[2] + x2
                            for c in 0..<channels { base[c * voxels + v] /= count }
                        }
                    }
                }
            }
        }
    }
}

/// Reads windows from an image as if it were padded like PyTorch `F.pad` (constant, replicate, reflect,
/// circular), without making the padded copy.
struct PaddedReader {
    let shape: [Int]
    let padBefore: [Int]
    let mode: SlidingWindowSettings.PaddingMode
    let cval: Float

    /// The source index along axis d for padded coordinate q, or nil for the constant fill.
    @inline(__always) func source(_ q: Int, axis d: Int) -> Int? {
        let n = shape[d]
        let x = q - padBefore[d]
        if x >= 0 && x < n { return x }
        switch mode {
        case .constant: return nil
        case .replicate: return min(max(x, 0), n - 1)
        case .reflect:
            guard n > 1 else { return 0 }
            let period = 2 * (n - 1)
            var m = x % period
            if m < 0 { m += period }
            return m < n ? m : period - m
        case .circular:
            let m = x % n
            return m < 0 ? m + n : m
        }
    }

    func read(_ input: UnsafeBufferPointer<Float>, channels: Int, start: SIMD3<Int>, roi: [Int],
              into patch: inout [Float], at offset: Int) {
        let voxels = shape[0] * shape[1] * shape[2], roiVoxels = roi[0] * roi[1] * roi[2]
        let i2 = (0..<roi[2]).map { source(start[2] + $0, axis: 2) }
        patch.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels {
                var o = offset + c * roiVoxels
                for z0 in 0..<roi[0] {
                    let i0 = source(start[0] + z0, axis: 0)
                    for z1 in 0..<roi[1] {
                        let i1 = source(start[1] + z1, axis: 1)
                        if let i0, let i1 {
                            let row = c * voxels + (i0 * shape[1] + i1) * shape[2]
                            for z2 in 0..<roi[2] {
                                p[o] = i2[z2].map { input[row + $0] } ?? cval
                                o += 1
                            }
                        } else {
                            for _ in 0..<roi[2] {
                                p[o] = cval
                                o += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
