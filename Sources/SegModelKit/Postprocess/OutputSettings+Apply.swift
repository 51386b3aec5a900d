import Foundation
import Imaging

extension OutputSettings {
    /// Applies the activation in place over `channels` channel-major planes of `count` voxels each
    /// (MONAI `Activations(softmax=True)` = softmax over the channel axis, or `sigmoid=True`).
    public func activate(_ values: UnsafeMutableBufferPointer<Float>, channels: Int, count: Int) {
        precondition(values.count == channels * count, "buffer size does not match channels × count")
        let base = values.baseAddress!
        switch activation {
        case .none:
            return
        case .sigmoid:
            for t in 0..<values.count { base[t] = 1 / (1 + exp(-base[t])) }
        case .softmax:
            nonisolated(unsafe) let p = base
            let blocks = max(1, min(64, count / 4096))
            parallelFor(blocks) { b in
                let lo = count * b / blocks, hi = count * (b + 1) / blocks
                for v in lo..<hi {
                    var m = -Float.infinity
                    for c in 0..<channels { m = max(m, p[c * count + v]) }
                    var sum: Float = 0
                    for c in 0..<channels {
                        let e = exp(p[c * count + v] - m)
                        p[c * count + v] = e
                        sum += e
                    }
                    for c in 0..<channels { p[c * count + v] /= sum }
                }
            }
        }
    }

    /// The label of one voxel from its channel values (`stride` apart in `values`).
    ///
    /// - argmax: the first channel with the largest value (as `torch.argmax`); channel c is label c.
    /// - threshold t: among channels with value ≥ t (MONAI `AsDiscrete(threshold=)`), the first with the
    ///   largest value; channel c is label c + 1; none → 0.
    @inline(__always) public func label(_ values: UnsafePointer<Float>, channels: Int, stride: Int) -> UInt8 {
        switch decision {
        case .argmax:
            var best = 0
            var bestValue = values[0]
            for c in 1..<channels where values[c * stride] > bestValue {
                best = c
                bestValue = values[c * stride]
            }
            return UInt8(clamping: best)
        case .threshold(let t):
            var best = -1
            var bestValue = -Float.infinity
            for c in 0..<channels where values[c * stride] >= t && values[c * stride] > bestValue {
                best = c
                bestValue = values[c * stride]
            }
            return best < 0 ? 0 : UInt8(clamping: best + 1)
        }
    }
}

extension OutputSettings {
    /// `label` for `count` consecutive voxels, channel by channel over contiguous runs (vectorisable), with the
    /// same tie rules.
    func labelRow(_ values: UnsafePointer<Float>, count: Int, channels: Int, stride: Int,
                  into out: UnsafeMutablePointer<UInt8>) {
        let best = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let index = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        defer { best.deallocate(); index.deallocate() }
        switch decision {
        case .argmax:
            best.update(from: values, count: count)
            index.initialize(repeating: 0, count: count)
            for c in 1..<max(channels, 1) {
                let p = values + c * stride
                for v in 0..<count where p[v] > best[v] {
                    best[v] = p[v]
                    index[v] = Int32(c)
                }
            }
            for v in 0..<count { out[v] = UInt8(clamping: index[v]) }
        case .threshold(let t):
            best.initialize(repeating: -.infinity, count: count)
            index.initialize(repeating: -1, count: count)
            for c in 0..<channels {
                let p = values + c * stride
                for v in 0..<count where p[v] >= t && p[v] > best[v] {
                    best[v] = p[v]
                    index[v] = Int32(c)
                }
            }
            for v in 0..<count { out[v] = UInt8(clamping: index[v] + 1) }
        }
    }
}

extension ModelSpaceGrid {
    /// Resamples activated model-space channels back to the exact source grid (streamed by slice) and only
    /// then decides labels there. Returns a label map on the source grid.
    public func labelMap(probabilities: UnsafeBufferPointer<Float>, channels: Int, output: OutputSettings) throws
        -> LabelMap
    {
        var map = LabelMap(geometry: source)
        if let taps = separableTaps() {
            precondition(probabilities.count == channels * voxelCount, "model-space buffer size does not match the grid")
            map.labels.withUnsafeMutableBufferPointer {
                separableLabels(values: probabilities.baseAddress!, channels: channels, taps: taps, output: output,
                                labels: $0.baseAddress!)
            }
            return map
        }
        let plane = source.sliceVoxelCount
        try map.labels.withUnsafeMutableBufferPointer { labels in
            nonisolated(unsafe) let out = labels.baseAddress!
            let rows = source.size.y, width = source.size.x
            try forEachSourceSlice(channels: channels, values: probabilities) { k, slice in
                nonisolated(unsafe) let p = slice.baseAddress!
                parallelFor(rows) { j in
                    output.labelRow(p + j * width, count: width, channels: channels, stride: plane,
                                    into: out + k * plane + j * width)
                }
            }
        }
        return map
    }
}

extension ModelSpaceGrid {
    /// Source rows handled by one task of the row loops.
    static let rowChunk = 16

    /// Back to the source grid and labels there in one pass (the separable case): per block of source slices,
    /// step 1 makes the z-interpolated model planes, then each task resamples a few source rows of all
    /// channels into a small buffer that stays in cache and decides their labels at once, so the full
    /// [channel][y][x] source slice is never written to memory and read back.
    func separableLabels(values: UnsafePointer<Float>, channels: Int, taps: [AxisTaps], output: OutputSettings,
                         labels: UnsafeMutablePointer<UInt8>) {
        let n = source.size, s = geometry.size, m = modelAxisOfSource
        let px = s[m[0]], planeCount = s[m[0]] * s[m[1]]
        let rows = RowResampler(x: taps[0], y: taps[1], px: px, planeCount: planeCount, channels: channels)
        defer { rows.deallocate() }
        let block = Self.sliceBlock, chunk = Self.rowChunk
        let planes = UnsafeMutablePointer<Float>.allocate(capacity: block * channels * planeCount)
        defer { planes.deallocate() }
        nonisolated(unsafe) let (planeBase, labelBase) = (planes, labels)
        for k0 in stride(from: 0, to: n.z, by: block) {
            let k1 = min(k0 + block, n.z)
            separablePlanes(k0: k0, k1: k1, taps: taps[2], channels: channels, values: values, planes: planes)
            let count = (k1 - k0) * n.y
            parallelFor((count + chunk - 1) / chunk) { t in
                let row = UnsafeMutablePointer<Float>.allocate(capacity: px + channels * n.x)
                defer { row.deallocate() }
                let out = row + px
                for r in t * chunk..<min(count, (t + 1) * chunk) {
                    let k = k0 + r / n.y, j = r % n.y
                    rows.run(j, plane: planeBase + (k - k0) * channels * planeCount, row: row, out: out, channelStride: n.x)
                    output.labelRow(out, count: n.x, channels: channels, stride: n.x, into: labelBase + (k * n.y + j) * n.x)
                }
            }
        }
    }
}
