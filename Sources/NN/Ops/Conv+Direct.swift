extension Functional {
    /// Output channels per group up to which a stride-1 convolution with a short kernel row (`K` below
    /// `directMaxK`) runs directly instead of as im2col + GEMM: with 1–4 rows a GEMM is mostly packing and
    /// im2col traffic (the 2→2 output convs of U-Nets at full resolution).
    static let directMaxChannels = 4
    static let directMaxK = 128

    /// Stride-1 convolution of one group by direct accumulation, one output row at a time (the row stays in
    /// L1 while every input channel and kernel tap is added to it); work items are (channel, plane) pairs.
    /// Results go to `sink` as (batch `batch`, output channel `channels + co`).
    static func convStride1Direct(_ s: ConvShape, x: [UnsafePointer<Float>], w: UnsafePointer<Float>,
                                  sink: ConvSink, batch: Int, channels: Int) {
        let kv = s.kernelVolume, khw = s.kh * s.kw, K = s.cinG * kv
        let outPlane = s.oh * s.ow
        parallelChunks(s.coutG * s.od, minChunk: max(1, 16384 / max(1, outPlane * K))) { items in
            let acc = Scratch(count: outPlane), A = acc.pointer
            for item in items {
                let co = item / s.od, od = item % s.od
                let wc = w + co * K
                for oh in 0..<s.oh {
                    let row = A + oh * s.ow
                    row.update(repeating: 0, count: s.ow)
                    for ci in 0..<s.cinG {
                        for kd in 0..<s.kd {
                            let z = od + kd - s.pd
                            if z < 0 || z >= s.id { continue }
                            for kh in 0..<s.kh {
                                let y = oh + kh - s.ph
                                if y < 0 || y >= s.ih { continue }
                                let src = x[ci] + (z * s.ih + y) * s.iw
                                for kw in 0..<s.kw {
                                    let wt = wc[ci * kv + kd * khw + kh * s.kw + kw]
                                    let off = kw - s.pw
                                    let lo = max(0, -off), hi = min(s.ow, s.iw - off)
                                    if lo >= hi { continue }
                                    let sp = src + off
                                    for i in lo..<hi { row[i] += wt * sp[i] }
                                }
                            }
                        }
                    }
                }
                sink.store(batch: batch, channel: channels + co, offset: od * outPlane, from: A, count: outPlane)
            }
        }
    }
}
