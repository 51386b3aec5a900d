import Foundation
import SegdCore

/// One job as the store keeps it. Holds the SeriesInstanceUID (needed to group late files), never patient data;
/// logs and metrics use `seriesHash` only.
public struct JobRecord: Sendable, Equatable, Codable {
    public var id: String
    public var state: JobState
    public var stage: RunStage?
    /// 0...1 within the stage.
    public var progress: Double?
    /// The watch folder the files were dropped into, and its output folder.
    public var watch: String
    public var output: String
    public var seriesUID: String
    public var seriesHash: String
    public var modality: String?
    /// 1 for the first job of a series in a watch folder, then 2, 3, ... for re-runs.
    public var generation: Int
    public var rerunOf: String?
    public var models: [String]
    public var rule: String?
    public var routing: [String]
    public var files: Int
    public var attempts: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    public var nextAttemptAt: Date?
    public var errorCode: String?
    public var errorMessage: String?
    /// Files written, by kind: `seg:<model>`, `summary:<model>`, `preview:<model>`.
    public var outputs: [String: String]
    public var estimatedPeakBytes: Int?
    /// Submitted through the control socket (`segctl submit`) rather than dropped; the model may be forced.
    public var submittedModel: String?

    public init(id: String, state: JobState, watch: String, output: String, seriesUID: String, generation: Int,
                rerunOf: String? = nil, now: Date) {
        self.id = id
        self.state = state
        self.watch = watch
        self.output = output
        self.seriesUID = seriesUID
        self.seriesHash = UIDHash.short(seriesUID)
        self.generation = generation
        self.rerunOf = rerunOf
        self.models = []
        self.routing = []
        self.files = 0
        self.attempts = 0
        self.createdAt = now
        self.updatedAt = now
        self.outputs = [:]
    }
}

/// One state change of a job.
public struct JobTransition: Sendable, Equatable, Codable {
    public var at: Date
    public var from: JobState?
    public var to: JobState
    public var detail: String
}

/// Wall time of one stage of one attempt.
public struct StageTiming: Sendable, Equatable, Codable {
    public var attempt: Int
    public var stage: String
    public var seconds: Double
}

/// Filters for listing jobs (all optional; newest first).
public struct JobFilter: Sendable, Equatable {
    public var states: [JobState]
    public var model: String?
    public var since: Date?
    public var limit: Int

    public init(states: [JobState] = [], model: String? = nil, since: Date? = nil, limit: Int = 50) {
        self.states = states
        self.model = model
        self.since = since
        self.limit = limit
    }
}
