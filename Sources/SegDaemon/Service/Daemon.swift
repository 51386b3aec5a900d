import DICOM
import Foundation
import Logging
import ServiceLifecycle
import SegdCore

/// `segd run`: everything the daemon is, composed in one swift-service-lifecycle `ServiceGroup`.
///
/// Start-up order: configuration → state folder and job store (a read-only or unusable state folder is a
/// clear refusal) → spool folders → model catalog → recovery of unfinished jobs → watch folders → control
/// socket (`extraServices`) → `READY=1`.
public struct Daemon: Sendable {
    public let configPath: String
    public let options: Scheduler.Options
    public let logger: Logger
    /// Built after the scheduler exists (the control socket server); bound before READY=1.
    public typealias ExtraServices = @Sendable (Scheduler, SegdConfiguration) throws -> [any Service]

    public init(configPath: String, options: Scheduler.Options, logger: Logger) {
        self.configPath = configPath
        self.options = options
        self.logger = logger
    }

    public func run(extraServices: ExtraServices = { _, _ in [] }) async throws {
        // A peer that hangs up (a worker that just exited, a segctl that went away) must not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
        // Until the service group traps SIGTERM and SIGINT (it does before it starts any service), a stop request
        // ends segd at once with status 0 instead of death by signal: no job runs yet, and every start-up step
        // (store, spool, recovery) is safe to cut short, as the crash campaign's kills at random moments show.
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        let config = try SegdConfiguration.load(path: configPath)
        DICOMScanner.headerLimit = config.ingest.maxHeaderBytes
        let store = try JobStore(directory: config.paths.state)
        try Spool(config.paths).prepare()
        for w in config.watches { try Spool.makeWritableFolder(w.output, key: "watch.output") }
        let scheduler = try Scheduler(config: config, store: store, options: options, logger: logger)
        try await scheduler.recover()
        let ingest = try Ingest(scheduler: scheduler, watches: config.watches,
                                rescanSeconds: config.ingest.rescanSeconds, logger: logger,
                                inflight: try InflightMarker(stateDirectory: config.paths.state))
        await scheduler.setResumeHook { await ingest.rescan(minimumAge: 2) }
        await scheduler.setReloadHook { DICOMScanner.headerLimit = $0.ingest.maxHeaderBytes }
        let extra = try extraServices(scheduler, config)
        let models = await scheduler.modelIDs
        logger.notice("segd started", metadata: ["version": "\(options.softwareVersion)", "models": "\(models.joined(separator: ","))",
                                                 "watches": "\(config.watches.count)", "rules": "\(config.rules.count)"])
        let schedulerService = SchedulerService(scheduler: scheduler,
                                                grace: .seconds(config.processing.shutdownGraceSeconds))
        let systemd = SystemdService(scheduler: scheduler, configPath: configPath, logger: logger,
                                     metricsTextfile: config.metrics.textfile)
        let ingestService = IngestService(ingest: ingest)
        // Graceful shutdown runs in reverse order: intake stops first, the scheduler drains last.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: schedulerService)] + extra.map { .init(service: $0) }
                + [.init(service: systemd), .init(service: ingestService)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.notice("segd stopped")
    }
}

/// The scheduler's timer loop; on shutdown it lets the running job finish within the grace time.
struct SchedulerService: Service {
    let scheduler: Scheduler
    let grace: Duration

    func run() async throws {
        await runUntilGracefulShutdown { await scheduler.runLoop() }
        await scheduler.shutdown(grace: grace)
    }
}

/// The watch folders.
struct IngestService: Service {
    let ingest: Ingest

    func run() async throws {
        await runUntilGracefulShutdown { await ingest.run() }
    }
}

/// Runs `body` until it returns or a graceful shutdown is requested (then `body`'s task is cancelled).
func runUntilGracefulShutdown(_ body: @escaping @Sendable () async -> Void) async {
    let task = Task { await body() }
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            await task.value
        } onGracefulShutdown: {
            task.cancel()
        }
    } onCancel: {
        task.cancel()
    }
}
