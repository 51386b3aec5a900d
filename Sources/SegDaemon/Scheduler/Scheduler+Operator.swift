import DICOM
import Foundation
import SegControl
import SegdCore

extension Scheduler {
    public func setResumeHook(_ hook: @escaping @Sendable () async -> Void) { resumeHook = hook }
    public func setReloadHook(_ hook: @escaping @Sendable (SegdConfiguration) -> Void) { reloadHook = hook }

    public func statusReport() -> StatusReport {
        let counts = (try? store.countsByState()) ?? [:]
        let runningJobs = running.keys.sorted().compactMap { try? store.job($0) }.map(DaemonBackend.info)
        let registry = pluginsLoaded
        return StatusReport(version: options.softwareVersion, pid: getpid(), startedAt: startedAt,
                            uptimeSeconds: Date().timeIntervalSince(startedAt), plugins: registry,
                            models: modelIDs, queue: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                            running: runningJobs, memoryBudgetBytes: budget, memoryInUseBytes: memoryInUse,
                            ingestPaused: paused)
    }

    /// Cancels a job that has not finished: a queued or arriving job at once, a running one by ending its worker.
    public func cancel(_ id: String) throws -> JobRecord {
        guard let job = try store.job(id) else { throw DaemonBackend.notFound(id) }
        switch job.state {
        case .queued, .waitingQuiet:
            if let key = openJobs.first(where: { $0.value == id })?.key { openJobs[key] = nil }
            settledWaiting.remove(id)
            uncountedFiles[id] = nil
            let done = try store.update(id, now: Date(), detail: "cancelled by an operator") { $0.state = .cancelled }
            releaseSeries(id)
            metrics.finished(outcome: "cancelled", model: "")
            return done
        case .running:
            guard let run = running[id] else { throw ControlError(.refused, "job \(id) is between states; try again") }
            run.cancelled = true
            run.worker.kill()
            return job
        default:
            throw ControlError(.refused, "job \(id) is \(job.state.rawValue) already; only waiting, queued or running jobs can be cancelled")
        }
    }

    /// Queues a failed, quarantined, cancelled or unrouted job again with fresh attempts; its input comes back
    /// from quarantine or the archive.
    public func retry(_ id: String) throws -> JobRecord {
        guard let job = try store.job(id) else { throw DaemonBackend.notFound(id) }
        guard job.state.isFinal, job.state != .done else {
            throw ControlError(.refused, job.state == .done
                ? "job \(id) is done; to process the series again, submit or drop it again"
                : "job \(id) is \(job.state.rawValue); only failed, quarantined, cancelled or unrouted jobs can be retried")
        }
        guard !job.seriesUID.isEmpty else {
            throw ControlError(.refused, "job \(id) is a single unreadable file; fix the file and drop it again")
        }
        let folder = spool.jobFolder(id)
        if !FileManager.default.fileExists(atPath: folder) {
            for source in [spool.quarantineFolder(id), spool.archiveFolder(id)] where FileManager.default.fileExists(atPath: source) {
                try Spool.moveFolder(source, to: folder)
                for name in ["reason.txt", "job.json"] { unlink((folder as NSString).appendingPathComponent(name)) }
                break
            }
        }
        guard !Spool.inputFiles(in: folder).isEmpty else {
            throw ControlError(.refused, "the input of job \(id) is gone (retention = \(config.processing.retention.rawValue)); drop the series again")
        }
        return try store.update(id, now: Date(), detail: "retried by an operator") {
            $0.state = .queued
            $0.attempts = 0
            $0.nextAttemptAt = nil
            $0.errorCode = nil
            $0.errorMessage = nil
        }
    }

    /// `segctl submit`: queues the series of a folder under `control.submitRoots` as if dropped. The files are
    /// copied into the spool (the submitted folder is left as it is); `model` forces the model.
    public func submit(_ request: SubmitRequest) async throws -> SubmitResult {
        let resolve = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let path = resolve(request.path)
        let roots = config.control.submitRoots
        // Both sides resolved: a root configured through a symbolic link (/srv -> /data/srv) still holds its folders.
        guard roots.map(resolve).contains(where: { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw ControlError(.refused, roots.isEmpty
                ? "segctl submit is off: no [control] submitRoots are configured; add the folder's parent there and reload"
                : "\(path) is outside the submit roots (\(roots.joined(separator: ", "))); copy it under one of them")
        }
        if let m = request.model, models[m] == nil {
            throw ControlError(.badRequest, "no model \(m) is installed; see segctl models")
        }
        let watch = config.watches.first?.path ?? path
        let grouped = try await OffPool.run { () throws -> [String: [String]] in
            let files = DropFolder.scan(path, minimumAge: 0).files
            guard !files.isEmpty else { throw ControlError(.badRequest, "\(path) holds no files") }
            var bySeries: [String: [String]] = [:]
            for f in files {
                guard let id = try? InstanceIdentity.read(path: f), !id.seriesInstanceUID.isEmpty else { continue }
                bySeries[id.seriesInstanceUID, default: []].append(f)
            }
            guard !bySeries.isEmpty else { throw ControlError(.badRequest, "\(path) holds no readable DICOM files") }
            return bySeries
        }
        var jobs: [JobInfo] = []
        var count = 0
        for (uid, files) in grouped.sorted(by: { $0.key < $1.key }) {
            let now = Date()
            let latest = try store.latest(watch: watch, seriesUID: uid)
            var job = JobRecord(id: JobID.make(now: now), state: .queued, watch: watch, output: output(for: watch),
                                seriesUID: uid, generation: (latest?.generation ?? 0) + 1, rerunOf: latest?.id, now: now)
            job.submittedModel = request.model
            job.files = files.count
            let folder = spool.jobFolder(job.id)
            try Spool.makeWritableFolder(folder, key: "paths.spool")
            for (i, f) in files.enumerated() {
                do {
                    try FileManager.default.copyItem(atPath: f, toPath: (folder as NSString).appendingPathComponent(String(format: "%06d.dcm", i + 1)))
                } catch {
                    throw ControlError(.refused, "cannot copy \(f) into the spool: \(error.localizedDescription)")
                }
            }
            try Spool.writeText(Self.describe(job), to: (folder as NSString).appendingPathComponent(".job.json"))
            try store.insert(job, detail: "submitted through the control socket")
            count += files.count
            jobs.append(DaemonBackend.info(job))
        }
        return SubmitResult(jobs: jobs, files: count)
    }
}
