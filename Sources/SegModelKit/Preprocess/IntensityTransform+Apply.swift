extension IntensityTransform {
    /// Applies the transform in place to one channel, with MONAI's formulas (float32 arithmetic; statistics in
    /// double precision).
    public func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let p = values.baseAddress else { return }
        let n = values.count
        switch self {
        case let .scaleIntensityRange(aMin, aMax, bMin, bMax, clip):
            if aMax - aMin == 0 {
                // MONAI: "divide by zero" → shift only.
                let shift = aMin - (bMin ?? 0)
                for i in 0..<n { p[i] -= shift }
                return
            }
            let range = Float(Double(aMax) - Double(aMin))
            let scale: Float? = (bMin != nil && bMax != nil) ? Float(Double(bMax!) - Double(bMin!)) : nil
            for i in 0..<n {
                var x = (p[i] - aMin) / range
                if let scale, let bMin { x = x * scale + bMin }
                if clip {
                    if let bMin, x < bMin { x = bMin }
                    if let bMax, x > bMax { x = bMax }
                }
                p[i] = x
            }
        case let .normalizeIntensity(subtrahend, divisor, nonzero, _):
            // One channel, so channel_wise makes no difference.
            var count = 0, sum = 0.0
            for i in 0..<n where !nonzero || p[i] != 0 {
                count += 1
                sum += Double(p[i])
            }
            guard count > 0 else { return }
            let mean = sum / Double(count)
            var sq = 0.0
            if divisor == nil {
                for i in 0..<n where !nonzero || p[i] != 0 {
                    let d = Double(p[i]) - mean
                    sq += d * d
                }
            }
            let sub = subtrahend ?? Float(mean)
            var div = divisor ?? Float((sq / Double(count)).squareRoot())  // population std, as MONAI
            if div == 0 { div = 1 }
            for i in 0..<n where !nonzero || p[i] != 0 { p[i] = (p[i] - sub) / div }
        case let .clipZScore(lower, upper, mean, std):
            let div = max(std, 1e-8)
            for i in 0..<n { p[i] = (min(max(p[i], lower), upper) - mean) / div }
        }
    }
}

extension Array where Element == IntensityTransform {
    /// Applies every transform in order.
    public func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        for t in self { t.apply(values) }
    }
}
