import Imaging

/// The result of one job, as printed by `segd process` and stored by the daemon. Holds no patient data.
public struct JobSummary: Sendable, Codable {
    public struct Label: Sendable, Codable {
        public var label: Int
        public var name: String
        public var voxels: Int
        public var empty: Bool
    }

    public struct Series: Sendable, Codable {
        public var seriesInstanceUID: String
        public var modality: String
        public var size: [Int]
        public var spacing: [Double]
        public var slices: Int
    }

    public var series: Series
    public var model: String
    public var modelVersion: String
    /// Wall time per stage in seconds.
    public var stageSeconds: [String: Double]
    public var windows: Int
    public var labels: [Label]
    /// Frames in the written SEG.
    public var segFrames: Int
    /// Files written, by kind (e.g. "seg", "labelmap", "summary").
    public var outputs: [String: String]
    /// The estimated peak bytes of the pipeline's own buffers (see `MemoryEstimate`).
    public var estimatedPeakBytes: Int
}
