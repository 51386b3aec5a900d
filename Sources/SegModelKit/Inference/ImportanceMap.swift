import Foundation

/// MONAI `compute_importance_map`: the per-voxel weight of a window's prediction.
///
/// - constant: all ones.
/// - gaussian: the product over axes of exp(−x² / (2σ²)) with x = −(n−1)/2 … (n−1)/2 and σ = sigma_scale·n,
///   computed in float32 as MONAI does, then clamped from below at max(min(map), 1e-3).
public enum ImportanceMap {
    /// The map for a window of `size` (C order, last axis fastest).
    public static func make(size: [Int], mode: SlidingWindowSettings.BlendMode, sigmaScale: Double) -> [Float] {
        let count = size.reduce(1, *)
        guard mode == .gaussian else { return [Float](repeating: 1, count: count) }
        var map: [Float] = [1]
        for n in size {
            let sigma = Double(n) * sigmaScale
            let denominator = Float(-2 * sigma * sigma)
            let axis: [Float] = (0..<n).map { i in
                let x = Float(-Double(n - 1) / 2 + Double(i))
                return exp(x * x / denominator)
            }
            var next = [Float](repeating: 0, count: map.count * n)
            for (o, m) in map.enumerated() {
                for (i, a) in axis.enumerated() { next[o * n + i] = m * a }
            }
            map = next
        }
        let floor = max(map.min() ?? 0, 1e-3)
        for i in map.indices where map[i] < floor { map[i] = floor }
        return map
    }
}
