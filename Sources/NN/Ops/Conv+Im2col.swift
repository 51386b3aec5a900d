extension Functional {
    /// Fills `col[k][(r - rows.lowerBound) * ow + ow_i]` for every kernel row k = (ci, kd, kh, kw) and output
    /// row r = (od, oh) in `rows`; `ld` is col's row stride. `x` is the group's first input channel (channel
    /// `ci` at `x + ci·inPlane`).
    static func im2col(_ s: ConvShape, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>,
                       rows: Range<Int>, ld: Int) {
        im2col(s, channel: { x + $0 * s.inPlane }, col, rows: rows, ld: ld, kernelRows: 0..<(s.cinG * s.kernelVolume))
    }

    /// `im2col` for the kernel rows `kernelRows` only, input channel `ci` read from `channel(ci)` (the channels
    /// of a concatenation live in different tensors).
    static func im2col(_ s: ConvShape, channel: (Int) -> UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>,
                       rows: Range<Int>, ld: Int, kernelRows: Range<Int>) {
        let kv = s.kernelVolume, khw = s.kh * s.kw
        do {  // one kernel row (ci, kd, kh, kw) at a time
            for k in kernelRows {
                let ci = k / kv, kr = k % kv
                let kd = kr / khw, kh = (kr % khw) / s.kw, kw = kr % s.kw
                let xc = channel(ci)
                var dst = col + k * ld
                // Valid output-column range for this kw.
                let off = kw - s.pw
                var lo = 0, hi = s.ow
                if s.sw == 1 {
                    lo = max(0, -off); hi = min(s.ow, s.iw - off)
                } else {
                    while lo < s.ow && lo * s.sw + off < 0 { lo += 1 }
                    while hi > lo && (hi - 1) * s.sw + off >= s.iw { hi -= 1 }
                }
                hi = max(hi, lo)
                for r in rows {
                    let od = r / s.oh, oh = r % s.oh
                    let zd = od * s.sd - s.pd + kd, yh = oh * s.sh - s.ph + kh
                    if zd < 0 || zd >= s.id || yh < 0 || yh >= s.ih {
                        dst.update(repeating: 0, count: s.ow)
                    } else {
                        let src = xc + (zd * s.ih + yh) * s.iw + off
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        if s.sw == 1 {
                            (dst + lo).update(from: src + lo, count: hi - lo)
                        } else {
                            for o in lo..<hi { dst[o] = src[o * s.sw] }
                        }
                        if hi < s.ow { (dst + hi).update(repeating: 0, count: s.ow - hi) }
                    }
                    dst += s.ow
                }
            }
        }
    }

    /// Direct depthwise convolution (one input channel per group); output already holds the bias.
    static func depthwise(_ s: ConvShape, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                          _ o: UnsafeMutablePointer<Float>) {
        let kv = s.kernelVolume, mult = s.coutG
        parallelFor(s.n * s.cout) { nc in
            let b = nc / s.cout, co = nc % s.cout
            let xc = x + (b * s.cin + co / mult) * s.inPlane
            let oc = o + nc * s.outPlane
            let wc = w + co * kv
            for od in 0..<s.od {
                for kd in 0..<s.kd {
                    let zd = od * s.sd - s.pd + kd
                    if zd < 0 || zd >= s.id { continue }
                    for oh in 0..<s.oh {
                        let orow = oc + (od * s.oh + oh) * s.ow
                        for kh in 0..<s.kh {
                            let yh = oh * s.sh - s.ph + kh
                            if yh < 0 || yh >= s.ih { continue }
                            let src = xc + (zd * s.ih + yh) * s.iw
                            for kw in 0..<s.kw {
                                let wt = wc[(kd * s.kh + kh) * s.kw + kw]
                                let off = kw - s.pw
                                var lo = 0, hi = s.ow
                                while lo < s.ow && lo * s.sw + off < 0 { lo += 1 }
                                while hi > lo && (hi - 1) * s.sw + off >= s.iw { hi -= 1 }
                                if s.sw == 1 {
                                    let sp = src + off
                                    for i in lo..<hi { orow[i] += wt * sp[i] }
                                } else {
                                    for i in lo..<hi { orow[i] += wt * src[i * s.sw + off] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
