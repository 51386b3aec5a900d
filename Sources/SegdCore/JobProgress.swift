/// What a running job reports as it goes, for progress bars, `segctl` and logs.
public enum JobProgress: Sendable {
    /// A stage started.
    case stageStarted(JobStage)
    /// Sliding-window progress: windows done of total.
    case windows(done: Int, total: Int)
    /// A stage finished after `seconds`.
    case stageFinished(JobStage, seconds: Double)
}

/// The stages of a job, in order.
public enum JobStage: String, Sendable, Codable, CaseIterable {
    case decode, preprocess, inference, postprocess, write
}
