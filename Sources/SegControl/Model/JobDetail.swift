import Foundation

/// `GET /v1/jobs/{id}`: a job with its history. In JSON the fields of `job` sit at the top level, beside
/// `transitions`, `stages`, `routing`, `inputDir` and `estimatedPeakBytes`.
public struct JobDetail: Codable, Sendable, Equatable {
    public struct Transition: Codable, Sendable, Equatable {
        public var at: Date
        /// Nil for the first row (the job was created).
        public var from: String?
        public var to: String
        public var detail: String?
        public init(at: Date, from: String?, to: String, detail: String? = nil) {
            self.at = at
            self.from = from
            self.to = to
            self.detail = detail
        }
    }

    public struct StageTiming: Codable, Sendable, Equatable {
        public var stage: String
        public var seconds: Double
        public var attempt: Int
        public init(stage: String, seconds: Double, attempt: Int) {
            self.stage = stage
            self.seconds = seconds
            self.attempt = attempt
        }
    }

    public var job: JobInfo
    public var transitions: [Transition]
    public var stages: [StageTiming]
    /// The router's explanation lines.
    public var routing: [String]
    /// The job's input folder (spool, quarantine or archive).
    public var inputDir: String?
    public var estimatedPeakBytes: Int?

    public init(job: JobInfo, transitions: [Transition] = [], stages: [StageTiming] = [], routing: [String] = [],
                inputDir: String? = nil, estimatedPeakBytes: Int? = nil) {
        self.job = job
        self.transitions = transitions
        self.stages = stages
        self.routing = routing
        self.inputDir = inputDir
        self.estimatedPeakBytes = estimatedPeakBytes
    }

    private enum Keys: String, CodingKey {
        case transitions, stages, routing, inputDir, estimatedPeakBytes
    }

    public init(from decoder: any Decoder) throws {
        job = try JobInfo(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        transitions = try c.decode([Transition].self, forKey: .transitions)
        stages = try c.decode([StageTiming].self, forKey: .stages)
        routing = try c.decode([String].self, forKey: .routing)
        inputDir = try c.decodeIfPresent(String.self, forKey: .inputDir)
        estimatedPeakBytes = try c.decodeIfPresent(Int.self, forKey: .estimatedPeakBytes)
    }

    public func encode(to encoder: any Encoder) throws {
        try job.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(transitions, forKey: .transitions)
        try c.encode(stages, forKey: .stages)
        try c.encode(routing, forKey: .routing)
        try c.encodeIfPresent(inputDir, forKey: .inputDir)
        try c.encodeIfPresent(estimatedPeakBytes, forKey: .estimatedPeakBytes)
    }
}
