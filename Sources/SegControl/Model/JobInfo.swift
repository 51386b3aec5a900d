import Foundation

/// A job's state as the store and the protocol spell it (`JobInfo.state`).
public enum JobStateName {
    public static let waitingQuiet = "waiting-quiet"
    public static let queued = "queued"
    public static let running = "running"
    public static let done = "done"
    public static let failed = "failed"
    public static let quarantined = "quarantined"
    public static let unrouted = "unrouted"
    public static let cancelled = "cancelled"

    /// Every state, in lifecycle order.
    public static let all = [waitingQuiet, queued, running, done, failed, quarantined, unrouted, cancelled]
    /// States a job never leaves by itself (a retry makes it `queued` again).
    public static let terminal: Set<String> = [done, failed, quarantined, unrouted, cancelled]
}

/// One job as the control socket shows it (see "Jobs" in `docs/daemon.md`). Field names are the JSON keys.
public struct JobInfo: Codable, Sendable, Equatable {
    public var id: String
    /// One of `JobStateName.all`.
    public var state: String
    /// While running: `route, admit, decode, preprocess, inference, postprocess, write`.
    public var stage: String?
    /// 0...1 within the stage.
    public var progress: Double?
    /// The watch folder the series arrived in.
    public var watch: String
    /// 12 hex digits of SHA-256(SeriesInstanceUID); never the UID itself.
    public var seriesHash: String
    public var modality: String?
    /// The routing decision (empty until routed).
    public var models: [String]
    /// The rule that matched.
    public var rule: String?
    public var files: Int
    public var attempts: Int
    /// The earlier job of the same series when this one is a re-run.
    public var rerunOf: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    public var nextAttemptAt: Date?
    /// The last error.
    public var error: ControlErrorBody?
    /// `seg` (or `seg:<model>` per model), `summary`, `preview` -> path.
    public var outputs: [String: String]

    public init(id: String, state: String, stage: String? = nil, progress: Double? = nil, watch: String,
                seriesHash: String, modality: String? = nil, models: [String] = [], rule: String? = nil,
                files: Int = 0, attempts: Int = 0, rerunOf: String? = nil, createdAt: Date, updatedAt: Date,
                finishedAt: Date? = nil, nextAttemptAt: Date? = nil, error: ControlErrorBody? = nil,
                outputs: [String: String] = [:]) {
        self.id = id
        self.state = state
        self.stage = stage
        self.progress = progress
        self.watch = watch
        self.seriesHash = seriesHash
        self.modality = modality
        self.models = models
        self.rule = rule
        self.files = files
        self.attempts = attempts
        self.rerunOf = rerunOf
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.nextAttemptAt = nextAttemptAt
        self.error = error
        self.outputs = outputs
    }

    /// True once the job is in a state it does not leave by itself.
    public var isTerminal: Bool { JobStateName.terminal.contains(state) }
}

/// `GET /v1/jobs` answer.
public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [JobInfo]
    public init(jobs: [JobInfo]) { self.jobs = jobs }
}
