/// Where a job is in its life. Stored as text in the job store and shown by `segctl` as is.
///
/// `waiting-quiet` → `queued` → `running` → `done` | `failed` | `quarantined`; `queued` → `unrouted` |
/// `cancelled`; a transient failure sends a running job back to `queued` with a retry time.
public enum JobState: String, Sendable, Codable, CaseIterable, Hashable {
    /// Files are arriving; the series becomes a job once it has been quiet for its watch folder's quiet time.
    case waitingQuiet = "waiting-quiet"
    case queued
    case running
    case done
    case failed
    /// Bad input: the files are in the quarantine folder with `reason.txt`.
    case quarantined
    /// No routing rule matched; the retention policy decided the files.
    case unrouted
    case cancelled

    /// The job will not change again unless an operator retries it.
    public var isFinal: Bool {
        switch self {
        case .waitingQuiet, .queued, .running: false
        case .done, .failed, .quarantined, .unrouted, .cancelled: true
        }
    }
}

/// What a running job is doing. `route` reads the series' headers and applies the rules; `admit` waits for
/// memory; the rest are the worker's stages.
public enum RunStage: String, Sendable, Codable, CaseIterable, Hashable {
    case route, admit, decode, preprocess, inference, postprocess, write
}
