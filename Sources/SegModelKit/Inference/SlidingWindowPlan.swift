/// Window positions of MONAI `sliding_window_inference` over a 3-D image: padding when the image is smaller than
/// the window, scan interval `int(roi·(1 − overlap))` (at least 1; the whole axis when roi equals it), starts
/// `i·interval` with the last window clamped to end at the image edge (`dense_patch_slices`).
public struct SlidingWindowPlan: Sendable, Equatable {
    /// The image size (unpadded).
    public let shape: [Int]
    /// The window size.
    public let roi: [Int]
    /// The padded size, max(shape, roi) per axis.
    public let paddedShape: [Int]
    /// Padding before the image per axis (after = paddedShape − shape − before), as MONAI: half, rounded down.
    public let padBefore: [Int]
    public let scanInterval: [Int]
    /// Window starts per axis, in padded coordinates.
    public let starts: [[Int]]

    public init(shape: [Int], roi: [Int], overlap: Double) {
        precondition(shape.count == 3 && roi.count == 3, "sliding windows are planned in 3-D")
        self.shape = shape
        self.roi = roi
        paddedShape = zip(shape, roi).map { max($0, $1) }
        padBefore = zip(shape, roi).map { max($1 - $0, 0) / 2 }
        var intervals: [Int] = [], allStarts: [[Int]] = []
        for d in 0..<3 {
            let size = paddedShape[d], r = roi[d]
            let interval = r == size ? r : max(Int(Double(r) * (1 - overlap)), 1)
            intervals.append(interval)
            let num = (size + interval - 1) / interval
            var count = 1
            if let first = (0..<num).first(where: { $0 * interval + r >= size }) { count = first + 1 }
            allStarts.append((0..<count).map { i in
                let s = i * interval
                return s - max(s + r - size, 0)
            })
        }
        scanInterval = intervals
        starts = allStarts
    }

    /// Number of windows.
    public var windowCount: Int { starts.map(\.count).reduce(1, *) }

    /// The start of window `index` (axis 0 slowest, as MONAI's meshgrid "ij" order).
    public func start(of index: Int) -> SIMD3<Int> {
        let n1 = starts[1].count, n2 = starts[2].count
        return SIMD3(starts[0][index / (n1 * n2)], starts[1][(index / n2) % n1], starts[2][index % n2])
    }

    /// For each unpadded coordinate along `axis`, the offsets inside the windows that cover it, in window order.
    func coveringOffsets(axis d: Int) -> [[Int]] {
        (0..<shape[d]).map { x in
            let q = x + padBefore[d]
            return starts[d].compactMap { s in (s <= q && q < s + roi[d]) ? q - s : nil }
        }
    }
}
