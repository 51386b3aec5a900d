/// Times the job's stages and reports their start and end.
struct StageTimer {
    let progress: @Sendable (JobProgress) -> Void
    private let clock = ContinuousClock()
    private var started: [JobStage: ContinuousClock.Instant] = [:]
    private(set) var seconds: [String: Double] = [:]

    init(progress: @escaping @Sendable (JobProgress) -> Void) { self.progress = progress }

    mutating func start(_ stage: JobStage) {
        started[stage] = clock.now
        progress(.stageStarted(stage))
    }

    mutating func finish(_ stage: JobStage) {
        guard let t0 = started.removeValue(forKey: stage) else { return }
        record(stage, seconds: (clock.now - t0).seconds)
    }

    mutating func record(_ stage: JobStage, seconds s: Double) {
        seconds[stage.rawValue] = s
        progress(.stageFinished(stage, seconds: s))
    }
}
