/// Identifies a series being collected: the watch folder it was dropped into and its SeriesInstanceUID.
///
/// The same series dropped into two watch folders is two jobs, one per output folder.
public struct SeriesKey: Sendable, Hashable, CustomStringConvertible {
    public var watch: String
    public var seriesInstanceUID: String

    public init(watch: String, seriesInstanceUID: String) {
        self.watch = watch
        self.seriesInstanceUID = seriesInstanceUID
    }

    public var description: String { "\(watch)#\(SafePathComponent.forUID(seriesInstanceUID))" }
}

/// Decides when a series is complete. DICOM has no "series complete" signal, so a series is complete once no
/// file of it has arrived for its watch folder's quiet time.
///
/// Pure state machine, no I/O and no clock of its own: every call takes the current instant (from any `Clock`;
/// tests inject a manual one) and returns what to do. The daemon calls `tick(now:)` at `nextDeadline` or later.
///
/// Life of a series:
/// - the first file opens a batch (`.batchOpened`); every further file restarts the quiet timer;
/// - once quiet, the batch becomes a job (`.startJob`) and the series is `running`;
/// - files arriving while its job runs open the next batch, which starts only after `jobFinished` and its own
///   quiet time (never two jobs of one series at once);
/// - files arriving after the job finished open a new batch too: a re-run (`isRerun`), logged as such;
/// - finished series are remembered for `rememberFinished`, then forgotten (the job store stays the record).
public struct SeriesSettler<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// A settled batch of files: the job to start.
    public struct Batch: Sendable, Hashable {
        public var key: SeriesKey
        /// 1 for the first job of a series, 2 for its first re-run, ...
        public var generation: Int
        public var isRerun: Bool { generation > 1 }
        /// The paths of THIS batch, in arrival order, each once. For a re-run these are only the late files; the
        /// daemon decides whether the job also reads the series' earlier files (still in the spool unless the
        /// retention deleted them).
        public var files: [String]
    }

    public enum Action: Sendable, Hashable {
        /// The first file of a new batch arrived (the series is now "waiting-quiet").
        case batchOpened(SeriesKey, generation: Int)
        /// The batch has been quiet long enough: start its job.
        case startJob(Batch)
    }

    private struct Pending: Sendable {
        var generation: Int
        var files: [String]
        var known: Set<String>
        var lastArrival: Instant
        var quiet: Duration
    }

    private struct Entry: Sendable {
        var pending: Pending?
        /// The generation whose job is running, if any.
        var running: Int?
        /// The last generation handed out (0: none yet).
        var lastGeneration: Int
        var finishedAt: Instant?
    }

    private var entries: [SeriesKey: Entry] = [:]
    /// How long a finished series is remembered (so that late files count as a re-run).
    public var rememberFinished: Duration

    public init(rememberFinished: Duration = .seconds(7 * 24 * 3600)) {
        self.rememberFinished = rememberFinished
    }

    /// A file of `key` arrived (closed after writing, or moved in) at `now`; `quiet` is its watch folder's.
    public mutating func fileArrived(_ path: String, key: SeriesKey, quiet: Duration, now: Instant) -> [Action] {
        var entry = entries[key] ?? Entry(pending: nil, running: nil, lastGeneration: 0, finishedAt: nil)
        var actions: [Action] = []
        if var pending = entry.pending {
            if pending.known.insert(path).inserted { pending.files.append(path) }
            pending.lastArrival = max(pending.lastArrival, now)
            pending.quiet = quiet
            entry.pending = pending
        } else {
            entry.lastGeneration += 1
            entry.pending = Pending(generation: entry.lastGeneration, files: [path], known: [path], lastArrival: now,
                                    quiet: quiet)
            actions.append(.batchOpened(key, generation: entry.lastGeneration))
        }
        entries[key] = entry
        return actions
    }

    /// Starts the jobs whose batches have been quiet long enough, and forgets long-finished series.
    public mutating func tick(now: Instant) -> [Action] {
        var ready: [Batch] = []
        for (key, var entry) in entries {
            if let pending = entry.pending, entry.running == nil, now >= pending.lastArrival.advanced(by: pending.quiet) {
                ready.append(Batch(key: key, generation: pending.generation, files: pending.files))
                entry.pending = nil
                entry.running = pending.generation
                entry.finishedAt = nil
                entries[key] = entry
            } else if entry.pending == nil, entry.running == nil, let done = entry.finishedAt,
                      now >= done.advanced(by: rememberFinished) {
                entries[key] = nil
            }
        }
        // Sorted by key, so the order does not depend on dictionary order.
        return ready.sorted { ($0.key.watch, $0.key.seriesInstanceUID) < ($1.key.watch, $1.key.seriesInstanceUID) }
            .map { .startJob($0) }
    }

    /// The job of `key`'s `generation` ended (done, failed or cancelled). A batch collected meanwhile waits for
    /// its own quiet time, then starts at a later `tick`.
    public mutating func jobFinished(_ key: SeriesKey, generation: Int, now: Instant) {
        guard var entry = entries[key], entry.running == generation else { return }
        entry.running = nil
        entry.finishedAt = now
        entries[key] = entry
    }

    /// Seeds the memory from the job store after a restart: `key` has finished jobs up to `generation`.
    public mutating func recordFinished(_ key: SeriesKey, generation: Int, now: Instant) {
        var entry = entries[key] ?? Entry(pending: nil, running: nil, lastGeneration: 0, finishedAt: nil)
        entry.lastGeneration = max(entry.lastGeneration, generation)
        if entry.running == nil { entry.finishedAt = now }
        entries[key] = entry
    }

    /// The earliest instant at which `tick` has something to do (nil: nothing pending).
    public var nextDeadline: Instant? {
        var best: Instant?
        for entry in entries.values {
            var candidate: Instant?
            if let p = entry.pending, entry.running == nil { candidate = p.lastArrival.advanced(by: p.quiet) }
            else if entry.pending == nil, entry.running == nil, let done = entry.finishedAt {
                candidate = done.advanced(by: rememberFinished)
            }
            if let c = candidate, best.map({ c < $0 }) ?? true { best = c }
        }
        return best
    }

    /// What the settler knows about a series, for status displays.
    public enum SeriesState: Sendable, Hashable {
        case unknown
        case waitingQuiet(generation: Int, files: Int)
        case running(generation: Int, nextBatchFiles: Int)
        case finished(generation: Int)
    }

    public func state(of key: SeriesKey) -> SeriesState {
        guard let e = entries[key] else { return .unknown }
        if let running = e.running { return .running(generation: running, nextBatchFiles: e.pending?.files.count ?? 0) }
        if let p = e.pending { return .waitingQuiet(generation: p.generation, files: p.files.count) }
        return .finished(generation: e.lastGeneration)
    }

    /// Series tracked (waiting, running or remembered as finished).
    public var trackedCount: Int { entries.count }
}
