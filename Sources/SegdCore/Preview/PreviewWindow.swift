/// The grey-level window of a preview: values from `low` (black) to `high` (white).
public struct PreviewWindow: Sendable, Equatable {
    public var low: Float
    public var high: Float

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    /// CT: level 100, width 1200 HU (−500…700): fat and soft tissue in greys, air black, bone white.
    public static let ct = PreviewWindow(low: -500, high: 700)

    /// The window for a modality: fixed HU for CT; otherwise the 1st and 99th percentiles of the voxels
    /// (a strided sample of at most about a million), as MR intensities have no absolute scale.
    public static func forModality(_ modality: String, voxels: [Float]) -> PreviewWindow {
        if modality.uppercased() == "CT" { return .ct }
        let stride = max(1, voxels.count / 1_000_000)
        var sample: [Float] = []
        sample.reserveCapacity(voxels.count / stride + 1)
        var i = 0
        while i < voxels.count {
            if voxels[i].isFinite { sample.append(voxels[i]) }
            i += stride
        }
        guard !sample.isEmpty else { return PreviewWindow(low: 0, high: 1) }
        sample.sort()
        let lo = sample[Int(Double(sample.count - 1) * 0.01)]
        let hi = sample[Int(Double(sample.count - 1) * 0.99)]
        return hi > lo ? PreviewWindow(low: lo, high: hi) : PreviewWindow(low: lo, high: lo + 1)
    }

    /// The grey level 0…255 of a value.
    @inline(__always) func grey(_ v: Float) -> UInt8 {
        let t = (v - low) / (high - low)
        return UInt8(min(max(t, 0), 1) * 255 + 0.5)
    }
}
