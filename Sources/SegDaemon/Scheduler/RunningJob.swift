import Foundation

/// A job whose attempt is running in a worker process.
final class RunningJob: @unchecked Sendable {
    let id: String
    let attempt: Int
    let worker: WorkerProcess
    var stage: RunStage = .route
    var stageStarted: ContinuousClock.Instant
    var progress: Double?
    /// Bytes admitted against the budget (0 until admitted).
    var admittedBytes = 0
    var plannedBytes: Int?
    /// The last `error` line of the worker.
    var failure: WorkerMessage?
    var outputs: [String: String] = [:]
    var summaries: [String: SegdCoreSummaryBox] = [:]
    /// The routing decision, kept to be written again with the outcome if the store refused it at the time.
    var routing: Routing?
    /// Why the daemon ended the worker, if it did.
    var timedOut: (stage: String, seconds: Int)?
    var cancelled = false
    var shutdownKill = false
    /// The routing decision said "unrouted": the worker was told to stop.
    var unrouted = false
    var refused: String?

    init(id: String, attempt: Int, worker: WorkerProcess, now: ContinuousClock.Instant) {
        self.id = id
        self.attempt = attempt
        self.worker = worker
        self.stageStarted = now
    }
}

extension RunningJob {
    struct Routing {
        var modality: String?
        var models: [String]
        var rule: String?
        var lines: [String]
    }
}

/// A model's summary as the worker reported it (boxed to keep RunningJob light).
struct SegdCoreSummaryBox: Sendable {
    var stageSeconds: [String: Double]
    var labels: [String: Int]
}
