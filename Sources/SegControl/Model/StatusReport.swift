import Foundation

/// `GET /v1/status`: what the daemon is doing.
public struct StatusReport: Codable, Sendable, Equatable {
    /// segd's release (`SegdVersion.string`).
    public var version: String
    /// The control protocol version (`ControlProtocol.version`).
    public var protocolVersion: Int
    public var pid: Int32
    public var startedAt: Date
    public var uptimeSeconds: Double
    /// Plugins loaded (names).
    public var plugins: [String]
    /// Valid model bundles in the catalog (ids).
    public var models: [String]
    /// Number of jobs per state; states with no job may be absent.
    public var queue: [String: Int]
    /// The running jobs, with stage and progress.
    public var running: [JobInfo]
    public var memoryBudgetBytes: Int
    /// Estimated peak memory of the admitted (running) jobs.
    public var memoryInUseBytes: Int
    /// True after `pause`: no new series are taken in; what is queued stays queued.
    public var ingestPaused: Bool

    public init(version: String, protocolVersion: Int = ControlProtocol.version, pid: Int32, startedAt: Date,
                uptimeSeconds: Double, plugins: [String], models: [String], queue: [String: Int],
                running: [JobInfo], memoryBudgetBytes: Int, memoryInUseBytes: Int, ingestPaused: Bool) {
        self.version = version
        self.protocolVersion = protocolVersion
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.plugins = plugins
        self.models = models
        self.queue = queue
        self.running = running
        self.memoryBudgetBytes = memoryBudgetBytes
        self.memoryInUseBytes = memoryInUseBytes
        self.ingestPaused = ingestPaused
    }
}

/// `GET /v1/version`: answered by the control server itself, without the backend.
public struct VersionReport: Codable, Sendable, Equatable {
    public var version: String
    public var protocolVersion: Int
    public init(version: String = SegdVersion.string, protocolVersion: Int = ControlProtocol.version) {
        self.version = version
        self.protocolVersion = protocolVersion
    }
}

/// The answer of a command that only changes something (`pause`, `resume`, `reload`).
public struct ActionResult: Codable, Sendable, Equatable {
    /// One line for a human, e.g. "ingest paused; 3 jobs stay queued".
    public var message: String
    public init(message: String) { self.message = message }
}
