import Foundation
import SegControl
import SegModelKit
import SegdCore

/// The daemon's answers to the control socket: reads from the job store and the scheduler, changes through
/// the scheduler. Slow file work (submit, rules test) runs on its own thread, never on the concurrency pool.
public struct DaemonBackend: ControlBackend {
    let scheduler: Scheduler
    let configPath: String

    public init(scheduler: Scheduler, configPath: String) {
        self.scheduler = scheduler
        self.configPath = configPath
    }

    public func status() async throws -> StatusReport { await scheduler.statusReport() }

    public func jobs(_ query: JobQuery) async throws -> [JobInfo] {
        var filter = JobFilter(model: query.model, since: query.since, limit: query.limit ?? JobQuery.defaultLimit)
        if let s = query.state {
            guard let state = JobState(rawValue: s) else {
                throw ControlError(.badRequest, "unknown state \(s); use one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.states = [state]
        }
        return try scheduler.store.jobs(filter).map(Self.info)
    }

    public func job(id: String) async throws -> JobDetail {
        let store = scheduler.store
        let spool = scheduler.spool
        do {
            guard let job = try store.job(id) else { throw Self.notFound(id) }
            let input = [spool.jobFolder(id), spool.quarantineFolder(id), spool.archiveFolder(id)]
                .first { FileManager.default.fileExists(atPath: $0) }
            return JobDetail(
                job: Self.info(job),
                transitions: try store.transitions(id).map { .init(at: $0.at, from: $0.from?.rawValue, to: $0.to.rawValue, detail: $0.detail) },
                stages: try store.stages(id).map { .init(stage: $0.stage, seconds: $0.seconds, attempt: $0.attempt) },
                routing: job.routing, inputDir: input, estimatedPeakBytes: job.estimatedPeakBytes)
        }
    }

    public func preview(id: String) async throws -> Data {
        let job = try scheduler.store.job(id)
        guard let job else { throw Self.notFound(id) }
        guard let path = job.outputs.keys.sorted().first(where: { $0.hasPrefix("preview") }).flatMap({ job.outputs[$0] }),
              let data = FileManager.default.contents(atPath: path) else {
            throw ControlError(.notFound, "job \(id) has no preview (it is written with the SEG of a done job); state: \(job.state.rawValue)")
        }
        return data
    }

    public func submit(_ request: SubmitRequest) async throws -> SubmitResult {
        try await scheduler.submit(request)
    }

    public func cancel(id: String) async throws -> JobInfo { Self.info(try await scheduler.cancel(id)) }
    public func retry(id: String) async throws -> JobInfo { Self.info(try await scheduler.retry(id)) }

    public func pause() async throws -> ActionResult {
        await scheduler.setPaused(true)
        return ActionResult(message: "intake paused: files stay in the drop folders; queued jobs still run (segctl resume to restart)")
    }

    public func resume() async throws -> ActionResult {
        await scheduler.setPaused(false)
        await scheduler.resumeHook?()
        return ActionResult(message: "intake resumed; the drop folders are being rescanned")
    }

    /// The model bundles; `plugin` names the plugin that implements each bundle's network class (none found:
    /// the bundle is listed without one, and its jobs fail with the plugin error).
    public func models() async throws -> [ModelInfo] {
        let dir = await scheduler.config.paths.models
        let registry = await pluginRegistry()
        return ModelCatalog(directories: [dir]).entries.map { e in
            guard let b = e.bundle else { return ModelInfo(directory: e.directory, valid: false, problem: e.problem) }
            return ModelInfo(directory: e.directory, valid: true, id: b.manifest.id, version: b.manifest.version,
                             networkClass: b.manifest.network.className,
                             plugin: (try? registry.plugin(for: b.manifest.network.className))?.name,
                             labels: b.manifest.labels.map(\.name))
        }
    }

    func pluginRegistry() async -> PluginRegistry {
        let extra = await scheduler.config.paths.plugins
        return PluginRegistry(directories: extra.map { .init($0) } + PluginRegistry.defaultDirectories())
    }

    public func plugins() async throws -> [PluginInfo] {
        let registry = await pluginRegistry()
        return registry.plugins.map { PluginInfo(path: $0.path, loaded: true, name: $0.name, version: $0.version, classes: $0.classes) }
            + registry.failures.map { PluginInfo(path: $0.path, loaded: false, problem: $0.reason) }
    }

    public func reload() async throws -> ActionResult {
        let config: SegdConfiguration
        do { config = try SegdConfiguration.load(path: configPath) } catch {
            let details = error.diagnostics.prefix(5).map { $0.formatted(path: configPath) }.joined(separator: "; ")
            throw ControlError(.badRequest, "\(error.message)\(details.isEmpty ? "" : ": \(details)"); the previous configuration stays in force")
        }
        do { try await scheduler.reload(config) } catch {
            throw ControlError(.badRequest, "\(error.message); the previous configuration stays in force")
        }
        let n = await scheduler.modelIDs.count
        return ActionResult(message: "configuration reloaded from \(configPath): \(config.rules.count) rules, \(n) models")
    }

    public func rulesTest(path: String) async throws -> RulesTestReport {
        let router = await scheduler.router
        let maxHeaderBytes = await scheduler.config.ingest.maxHeaderBytes
        let executable = scheduler.options.workerExecutable
        return try await OffPool.run {
            // DICOM is read in a child process: a file that crashes DCMTK ends the child, not the daemon.
            let scan = try FolderScan.inChild(executable: executable, path: path, maxHeaderBytes: maxHeaderBytes)
            let series = scan.series.map { s in
                let decision = router.route(SeriesFacts(values: s.facts))
                var rule: String?
                if case .routed(let r, _) = decision.outcome { rule = r }
                return RulesTestReport.Series(seriesHash: s.seriesHash, description: s.description, modality: s.modality,
                                              slices: s.slices, rule: rule, decision: decision.lines, models: decision.models)
            }
            return RulesTestReport(path: path, series: series, skipped: scan.skipped)
        }
    }

    public func metrics() async throws -> String { await scheduler.metricsText() }

    static func notFound(_ id: String) -> ControlError {
        ControlError(.notFound, "no job \(id); list jobs with segctl jobs")
    }

    static func info(_ j: JobRecord) -> JobInfo {
        JobInfo(id: j.id, state: j.state.rawValue, stage: j.stage?.rawValue, progress: j.progress, watch: j.watch,
                seriesHash: j.seriesHash, modality: j.modality, models: j.models, rule: j.rule, files: j.files,
                attempts: j.attempts, rerunOf: j.rerunOf, createdAt: j.createdAt, updatedAt: j.updatedAt,
                finishedAt: j.finishedAt, nextAttemptAt: j.nextAttemptAt,
                error: j.errorCode.map { ControlErrorBody(code: $0, message: j.errorMessage ?? "") }, outputs: j.outputs)
    }
}

/// Runs blocking work on a fresh thread and awaits it, leaving the concurrency pool free.
enum OffPool {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }
}
