import Foundation
import Logging
import SegModelKit
import SegdCore

/// The heart of the daemon: settles series, queues and routes jobs, admits them against the memory budget, runs
/// each attempt in a worker process, retries transient failures, quarantines bad input, applies retention.
///
/// The job store is the record; this actor's state is rebuilt from it by `recover()` at start.
public actor Scheduler {
    public struct Options: Sendable {
        /// The `segd` executable that is started as `segd worker`.
        public var workerExecutable: String
        public var softwareVersion: String
        /// Physical memory, for `memoryBudget = "auto"`.
        public var physicalMemory: Int
        /// How often the loop looks at timers (quiet times, retries, stage timeouts).
        public var tickInterval: Duration

        public init(workerExecutable: String, softwareVersion: String,
                    physicalMemory: Int = Int(ProcessInfo.processInfo.physicalMemory),
                    tickInterval: Duration = .milliseconds(250)) {
            self.workerExecutable = workerExecutable
            self.softwareVersion = softwareVersion
            self.physicalMemory = physicalMemory
            self.tickInterval = tickInterval
        }
    }

    var config: SegdConfiguration
    var router: Router
    var models: [String: String] = [:]
    /// Bundle folder → why it cannot be used (bad manifest, weights that fail their sha256, ...).
    var modelProblems: [String: String] = [:]
    let store: JobStore
    let spool: Spool
    let options: Options
    let logger: Logger
    let clock = ContinuousClock()
    var settler = SeriesSettler<ContinuousClock.Instant>()
    /// Series key → the job collecting its files.
    var openJobs: [SeriesKey: String] = [:]
    /// Job → the settler generation it holds (to tell the settler when it ends).
    var settlerGenerations: [String: (SeriesKey, Int)] = [:]
    /// Files being moved into a job's folder right now; a job starts only when this is 0.
    var pendingMoves: [String: Int] = [:]
    /// The last spool file number handed out per collecting job (`000001.dcm`, ...).
    var lastFileNumber: [String: Int] = [:]
    /// Files moved into a collecting job's folder but not yet counted in its store row: each turn of the loop
    /// writes them in one commit per job (a commit per file made a large series slow to take in); `settle`
    /// writes the exact count.
    var uncountedFiles: [String: Int] = [:]
    var settledWaiting: Set<String> = []
    var running: [String: RunningJob] = [:]
    /// Workers that ended while the store refused to record their outcome (locked by another process): their
    /// outcome is decided again at every tick until the store takes it.
    var unrecorded: [String: (run: RunningJob, status: Int32, signal: Int32?, stderrTail: String)] = [:]
    /// No job is started before this instant (the store refused to record a start).
    var dispatchHeldUntil: ContinuousClock.Instant?
    /// Progress and stage writes are skipped before this instant (the store refused one).
    var storeBusyUntil: ContinuousClock.Instant?
    var memoryInUse = 0
    var paused = false
    var stopping = false
    public internal(set) var lastLoop: ContinuousClock.Instant
    let startedAt = Date()
    public internal(set) var metrics = DaemonMetrics()
    /// Called after `segctl resume` (the ingest rescans the drop folders).
    var resumeHook: (@Sendable () async -> Void)?
    /// Applies a reloaded configuration to what lives outside the scheduler (the header-read limit of the
    /// daemon's own DICOM reads); set by `Daemon`.
    var reloadHook: (@Sendable (SegdConfiguration) -> Void)?
    /// Names of the plugins found at start (for status).
    var pluginsLoaded: [String] = []

    public init(config: SegdConfiguration, store: JobStore, options: Options, logger: Logger) throws(DaemonError) {
        self.config = config
        self.router = try Router(rules: config.rules)
        self.store = store
        self.spool = Spool(config.paths)
        self.options = options
        self.logger = logger
        self.lastLoop = ContinuousClock().now
        let registry = PluginRegistry(directories: config.paths.plugins.map { .init($0) } + PluginRegistry.defaultDirectories())
        self.pluginsLoaded = registry.plugins.map { "\($0.name) \($0.version)" }
        let (found, problems) = Self.loadCatalog(config)
        self.models = found
        self.modelProblems = problems
        for failure in registry.failures {
            logger.warning("plugin not loaded", metadata: ["path": "\(failure.path)", "reason": "\(failure.reason)"])
        }
        Self.logProblems(problems, logger)
    }

    static func logProblems(_ problems: [String: String], _ logger: Logger) {
        for (directory, problem) in problems.sorted(by: { $0.key < $1.key }) {
            logger.warning("model bundle unusable", metadata: ["bundle": "\(directory)", "reason": "\(problem)"])
        }
    }

    /// Model id → bundle folder, from `paths.models`, and the bundles that could not be loaded (folder → why).
    static func loadCatalog(_ config: SegdConfiguration) -> ([String: String], [String: String]) {
        let catalog = ModelCatalog(directories: [config.paths.models])
        var found: [String: String] = [:]
        var problems: [String: String] = [:]
        for entry in catalog.entries {
            if let bundle = entry.bundle { found[bundle.manifest.id] = entry.directory }
            else { problems[entry.directory] = entry.problem ?? "invalid" }
        }
        return (found, problems)
    }

    /// Why model `id` is not in the catalog when a bundle for it is installed but unusable: the bundle named
    /// `id` (folder name, or the `id` its model.json declares) and its problem. nil: no such bundle at all.
    func problem(ofModel id: String) -> (directory: String, problem: String)? {
        for (directory, problem) in modelProblems.sorted(by: { $0.key < $1.key }) {
            if (directory as NSString).lastPathComponent == id { return (directory, problem) }
            let manifest = (directory as NSString).appendingPathComponent("model.json")
            if let data = FileManager.default.contents(atPath: manifest),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["id"] as? String == id {
                return (directory, problem)
            }
        }
        return nil
    }

    /// The memory budget in bytes.
    var budget: Int {
        switch config.processing.memoryBudget {
        case .auto: options.physicalMemory / 10 * 8
        case .bytes(let b): b
        }
    }

    func quietTime(for watch: String) -> Duration {
        .seconds(config.watches.first { $0.path == watch }?.quietSeconds ?? 30)
    }

    func output(for watch: String) -> String {
        config.watches.first { $0.path == watch }?.output ?? watch
    }

    /// Runs the timer loop until cancelled (graceful shutdown of the service group).
    public func runLoop() async {
        while !Task.isCancelled {
            tick()
            try? await Task.sleep(for: options.tickInterval)
        }
    }

    /// Stops intake and starting jobs; returns once no worker runs or `grace` passed (then the workers are
    /// killed and their jobs go back to `queued`, to be resumed at the next start).
    public func shutdown(grace: Duration) async {
        stopping = true
        let deadline = clock.now.advanced(by: grace)
        while !running.isEmpty && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for (_, job) in running {
            job.shutdownKill = true
            job.worker.kill()
        }
        while !running.isEmpty {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Reloads rules, watch folders' quiet times and the model catalog; queued jobs stay queued.
    public func reload(_ newConfig: SegdConfiguration) throws(DaemonError) {
        let newRouter = try Router(rules: newConfig.rules)
        config = newConfig
        router = newRouter
        (models, modelProblems) = Self.loadCatalog(newConfig)
        Self.logProblems(modelProblems, logger)
        reloadHook?(newConfig)
        logger.notice("configuration reloaded", metadata: ["models": "\(models.count)", "rules": "\(newConfig.rules.count)"])
    }

    public func setPaused(_ value: Bool) {
        paused = value
        logger.notice(value ? "intake paused" : "intake resumed")
    }

    public var isPaused: Bool { paused }
    public var isStopping: Bool { stopping }
}
