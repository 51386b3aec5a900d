import Foundation
import Logging
import SegdCore

extension Scheduler {
    /// Starts queued jobs while worker slots are free (oldest first; retries once their time has come).
    func dispatch() {
        guard !stopping, running.count < config.processing.workers else { return }
        if let held = dispatchHeldUntil, clock.now < held { return }
        let startable: [JobRecord]
        do { startable = try store.startable(now: Date(), limit: config.processing.workers - running.count) } catch {
            logger.error("cannot read the queue", metadata: ["error": "\(error)"])
            return
        }
        for job in startable where running.count < config.processing.workers { start(job) }
    }

    /// Runs one attempt of `job` in a new worker.
    func start(_ job: JobRecord) {
        let attempt = job.attempts + 1
        let spec = WorkerSpec(jobID: job.id, inputs: inputFolders(of: job), seriesUID: job.seriesUID,
                              output: job.output, threads: config.processing.blasThreads,
                              pluginDirectories: config.paths.plugins, softwareVersion: options.softwareVersion,
                              parentPID: getpid(), maxHeaderBytes: config.ingest.maxHeaderBytes)
        let specPath = (spool.jobFolder(job.id) as NSString).appendingPathComponent(".worker.json")
        do {
            try Spool.writeText(String(decoding: try JSONEncoder().encode(spec), as: UTF8.self), to: specPath)
        } catch {
            logger.error("cannot start a worker", metadata: ["job": "\(job.id)", "error": "\(error)"])
            fail(job.id, attempt: attempt, JobFailure(.transient, reason: "cannot write the worker's spec: \(error)"),
                 code: "worker")
            return
        }
        // The attempt is recorded before its worker exists: when the store refuses the write (locked by another
        // process, full), the job simply stays queued, with no worker behind it, and is tried again later.
        do {
            try store.update(job.id, now: Date(), detail: "attempt \(attempt) started") {
                $0.state = .running
                $0.stage = .route
                $0.progress = nil
                $0.attempts = attempt
                $0.nextAttemptAt = nil
            }
        } catch {
            logger.error("cannot record the start of a job; will try again", metadata: ["job": "\(job.id)", "error": "\(error)"])
            dispatchHeldUntil = clock.now.advanced(by: .seconds(2))
            return
        }
        do {
            let worker = try WorkerProcess(executable: options.workerExecutable, specPath: specPath)
            let run = RunningJob(id: job.id, attempt: attempt, worker: worker, now: clock.now)
            running[job.id] = run
            logger.info("job started", metadata: ["job": "\(job.id)", "attempt": "\(attempt)", "pid": "\(worker.pid)"])
            Task { await self.follow(run) }
        } catch {
            logger.error("cannot start a worker", metadata: ["job": "\(job.id)", "error": "\(error)"])
            fail(job.id, attempt: attempt, JobFailure(.transient, reason: "cannot start the worker: \(error)"),
                 code: "worker")
        }
    }

    /// The folders the worker reads: the job's own, then, for a re-run, the earlier batches still kept.
    func inputFolders(of job: JobRecord) -> [String] {
        var folders = [spool.jobFolder(job.id)]
        let earlier = (try? store.series(watch: job.watch, seriesUID: job.seriesUID).filter {
            $0.id != job.id && $0.generation < job.generation
        }) ?? []
        for e in earlier {
            for dir in [spool.jobFolder(e.id), spool.archiveFolder(e.id)] where FileManager.default.fileExists(atPath: dir) {
                folders.append(dir)
            }
        }
        return folders
    }

    /// Reads the worker's messages until it exits.
    func follow(_ run: RunningJob) async {
        for await event in run.worker.events {
            switch event {
            case .message(let m): handle(m, of: run)
            case .exited(let status, let signal, let tail): finish(run, status: status, signal: signal, stderrTail: tail)
            }
        }
    }

    func handle(_ m: WorkerMessage, of run: RunningJob) {
        switch m.event {
        case .series:
            route(run, facts: m.facts ?? [:], modality: m.modality)
        case .plan:
            admit(run, bytes: m.bytes ?? 0)
        case .stage:
            guard let s = m.stage.flatMap(RunStage.init(rawValue:)) else { return }
            run.stage = s
            run.stageStarted = clock.now
            run.progress = nil
            bestEffortWrite { () throws(DaemonError) in try store.update(run.id, now: Date()) { $0.stage = s; $0.progress = nil } }
        case .stageDone:
            guard let s = m.stage, let seconds = m.seconds else { return }
            bestEffortWrite { () throws(DaemonError) in try store.recordStage(run.id, attempt: run.attempt, stage: s, seconds: seconds) }
            metrics.observeStage(s, seconds: seconds)
        case .progress:
            guard let done = m.done, let total = m.total, total > 0 else { return }
            let p = Double(done) / Double(total)
            // Store progress in steps of 5 % (and the end) to keep the store's writes few.
            if run.progress.map({ p - $0 >= 0.05 || done == total }) ?? true {
                run.progress = p
                bestEffortWrite { () throws(DaemonError) in try store.update(run.id, now: Date()) { $0.progress = p } }
            }
        case .output:
            guard let model = m.model, let summary = m.summary else { return }
            for (kind, path) in summary.outputs {
                run.outputs[kind == "seg" ? "seg:\(model)" : "\(kind):\(model)"] = path
            }
        case .error:
            run.failure = m
        }
    }

    /// Applies the rules to the worker's series facts and tells the worker which models to run.
    func route(_ run: RunningJob, facts: [String: String], modality: String?) {
        guard let job = try? store.job(run.id) else { run.worker.kill(); return }
        var modelIDs: [String]
        var rule: String?
        var lines: [String]
        if let forced = job.submittedModel {
            modelIDs = [forced]
            lines = ["submitted with --model \(forced)"]
        } else {
            let decision = router.route(SeriesFacts(values: facts))
            modelIDs = decision.models
            lines = decision.lines
            if case .routed(let r, _) = decision.outcome { rule = r }
        }
        run.routing = RunningJob.Routing(modality: modality, models: modelIDs, rule: rule, lines: lines)
        _ = try? store.update(run.id, now: Date()) {
            $0.modality = modality
            $0.models = modelIDs
            $0.rule = rule
            $0.routing = lines
        }
        if modelIDs.isEmpty {
            run.unrouted = true
            run.worker.send(WorkerCommand(.stop))
            return
        }
        let missing = modelIDs.filter { models[$0] == nil }
        if let id = missing.first, let (directory, problem) = problem(ofModel: id) {
            // Installed but unusable (e.g. weights that fail their sha256): say why, not "not installed".
            run.refused = "model \(id) cannot be used: its bundle \(directory) is invalid: \(problem); reinstall the bundle (segd models lists the problems), then segctl reload and segctl retry \(run.id)"
            run.worker.send(WorkerCommand(.stop))
            return
        }
        if !missing.isEmpty {
            run.refused = "model \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not installed in \(config.paths.models) (named by \(rule.map { "rule \"\($0)\"" } ?? "segctl submit")); install the bundle or fix the rule, then segctl retry \(run.id)"
            run.worker.send(WorkerCommand(.stop))
            return
        }
        let refs = modelIDs.map { WorkerModel(id: $0, bundle: models[$0]!, stem: "\($0)-\(job.seriesHash)-\(job.id)") }
        run.worker.send(WorkerCommand(.models, models: refs))
    }

    /// Admission: a job whose estimated peak fits the free budget goes on; one that can never fit fails with the
    /// reason; otherwise it waits (stage `admit`) until running jobs free their memory.
    func admit(_ run: RunningJob, bytes: Int) {
        run.plannedBytes = bytes
        _ = try? store.update(run.id, now: Date()) { $0.estimatedPeakBytes = bytes }
        if bytes > budget {
            run.refused = "the job needs an estimated \(Self.gib(bytes)) of memory, more than processing.memoryBudget (\(Self.gib(budget))); raise the budget or use a model with a smaller patch or coarser spacing"
            run.worker.send(WorkerCommand(.stop))
            return
        }
        run.stage = .admit
        run.stageStarted = clock.now
        _ = try? store.update(run.id, now: Date()) { $0.stage = .admit }
        tryAdmit()
    }

    /// Lets waiting jobs in, oldest attempt first, while the budget allows (one job always may run).
    func tryAdmit() {
        let waiting = running.values.filter { $0.stage == .admit && $0.admittedBytes == 0 }.sorted { $0.id < $1.id }
        for run in waiting {
            let bytes = max(run.plannedBytes ?? 0, 1)
            let alone = running.values.allSatisfy { $0 === run || $0.admittedBytes == 0 }
            guard alone || memoryInUse + bytes <= budget else { continue }
            run.admittedBytes = bytes
            memoryInUse += bytes
            run.worker.send(WorkerCommand(.go))
        }
    }

    /// Kills workers whose current stage ran past its timeout.
    func checkTimeouts() {
        let now = clock.now
        for run in running.values where run.timedOut == nil && run.stage != .admit {
            let stageName = run.stage == .route ? "decode" : run.stage.rawValue
            guard let limit = config.timeouts.seconds(for: stageName) else { continue }
            if now - run.stageStarted > .seconds(limit) {
                run.timedOut = (run.stage.rawValue, limit)
                logger.warning("stage timed out", metadata: ["job": "\(run.id)", "stage": "\(run.stage.rawValue)"])
                run.worker.kill()
            }
        }
    }

    /// A write no decision depends on (the current stage, progress, stage timings). After the store refused one
    /// (locked by another process beyond its busy timeout), such writes are skipped for 30 s: each would
    /// otherwise hold the scheduler for the whole busy timeout.
    func bestEffortWrite(_ body: () throws(DaemonError) -> Void) {
        if let until = storeBusyUntil, clock.now < until { return }
        do {
            try body()
        } catch {
            storeBusyUntil = clock.now.advanced(by: .seconds(30))
            logger.warning("the job store refused a progress write; progress is not recorded for 30 s",
                           metadata: ["error": "\(error)"])
        }
    }

    /// A size for a message: GiB with one decimal, MiB below 1 GiB (so 100 MiB and 64 MiB do not both read
    /// "0.1 GiB").
    static func gib(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / 1_073_741_824)
            : String(format: "%.0f MiB", (Double(bytes) / 1_048_576).rounded(.up))
    }
}
