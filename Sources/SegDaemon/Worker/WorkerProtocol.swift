import Foundation
import SegdCore

/// What the daemon gives a worker for one attempt: written as JSON next to the job's files, passed by path.
public struct WorkerSpec: Codable, Sendable, Equatable {
    public var jobID: String
    /// Folders holding the series' files (the job's spool folder, and for a re-run the earlier batches).
    public var inputs: [String]
    /// The SeriesInstanceUID to process (the job's series); empty: the only usable series of the inputs.
    public var seriesUID: String
    public var output: String
    public var threads: Int
    /// Plugin folders searched before the built-in search path.
    public var pluginDirectories: [String]
    public var softwareVersion: String
    /// The daemon's pid: the worker ends itself when its parent is gone.
    public var parentPID: Int32
    /// `ingest.maxHeaderSize`: the worker reads headers with the daemon's bound (nil: the default).
    public var maxHeaderBytes: Int?

    public init(jobID: String, inputs: [String], seriesUID: String, output: String, threads: Int,
                pluginDirectories: [String], softwareVersion: String, parentPID: Int32, maxHeaderBytes: Int? = nil) {
        self.jobID = jobID
        self.inputs = inputs
        self.seriesUID = seriesUID
        self.output = output
        self.threads = threads
        self.pluginDirectories = pluginDirectories
        self.softwareVersion = softwareVersion
        self.parentPID = parentPID
        self.maxHeaderBytes = maxHeaderBytes
    }
}

/// A model the daemon asks the worker to run: its id and bundle folder.
public struct WorkerModel: Codable, Sendable, Equatable {
    public var id: String
    public var bundle: String
    /// The output file stem (`<model>-<series hash>-<job id>`).
    public var stem: String

    public init(id: String, bundle: String, stem: String) {
        self.id = id
        self.bundle = bundle
        self.stem = stem
    }
}

/// Daemon → worker, one JSON object per line on the worker's standard input.
public struct WorkerCommand: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The routing decision: load and check these models, then report the plan.
        case models
        /// Admitted: decode and run.
        case go
        /// Give up quietly (unrouted, cancelled, shutting down).
        case stop
    }

    public var cmd: Kind
    public var models: [WorkerModel]?

    public init(_ cmd: Kind, models: [WorkerModel]? = nil) {
        self.cmd = cmd
        self.models = models
    }
}

/// Worker → daemon, one JSON object per line on the worker's standard output.
public struct WorkerMessage: Codable, Sendable {
    public enum Event: String, Codable, Sendable {
        /// The series was found: routing facts (DICOM keywords and derived fields), modality, slice count.
        case series
        /// Estimated peak memory of the run, for admission.
        case plan
        /// A stage started (`stage`), or finished (`stage` and `seconds`).
        case stage, stageDone
        /// Sliding-window progress within the inference stage.
        case progress
        /// One model's outputs are written (`model`, `summary`).
        case output
        /// The attempt failed; `transient` and `quarantine` say what to do with the job.
        case error
    }

    public var event: Event
    public var facts: [String: String]?
    public var modality: String?
    public var slices: Int?
    public var bytes: Int?
    public var stage: String?
    public var seconds: Double?
    public var done: Int?
    public var total: Int?
    public var model: String?
    public var summary: JobSummary?
    public var code: String?
    public var message: String?
    public var transient: Bool?
    public var quarantine: Bool?

    public init(_ event: Event) { self.event = event }

    public static func failure(_ f: JobFailure, code: String) -> WorkerMessage {
        var m = WorkerMessage(.error)
        m.code = code
        m.message = f.reason
        m.transient = f.failureClass == .transient
        m.quarantine = f.quarantine
        return m
    }
}

/// The worker's exit statuses besides 0 (success) and signals.
public enum WorkerExit {
    /// The attempt failed and said why on its last `error` line.
    public static let failed: Int32 = 1
    /// Told to stop (or the daemon went away) before finishing.
    public static let stopped: Int32 = 3
    /// The spec could not be read: a daemon bug or a damaged spool.
    public static let badSpec: Int32 = 4
}
