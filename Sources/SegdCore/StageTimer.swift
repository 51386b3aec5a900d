/// Times the job's stages and reports their start and end.
public struct StageTimer {
    public let progress: @Sendable (JobProgress) -> Void
    private let clock = ContinuousClock()
    private var started: [JobStage: ContinuousClock.Instant] = [:]
    public private(set) var seconds: [String: Double] = [:]

    public init(progress: @escaping @Sendable (JobProgress) -> Void) { self.progress = progress }

    public mutating func start(_ stage: JobStage) {
        started[stage] = clock.now
        progress(.stageStarted(stage))
    }

    public mutating func finish(_ stage: JobStage) {
        guard let t0 = started.removeValue(forKey: stage) else { return }
        record(stage, seconds: (clock.now - t0).seconds)
    }

    public mutating func record(_ stage: JobStage, seconds s: Double) {
        seconds[stage.rawValue] = s
        progress(.stageFinished(stage, seconds: s))
    }
}
