import Foundation
import Logging
import SegdCore

/// Where the ingest puts one accepted file.
public struct IntakeTarget: Sendable {
    public var jobID: String
    /// The full path to rename the file to.
    public var path: String
}

extension Scheduler {
    /// A file of `seriesUID` was found in `watch`: returns where to move it (the series' collecting job,
    /// created if needed). Call `moved` once the move is done or failed. nil: intake is paused or stopping.
    public func accept(watch: String, seriesUID: String) -> IntakeTarget? {
        guard !paused, !stopping else { return nil }
        let now = Date()
        let key = SeriesKey(watch: watch, seriesInstanceUID: seriesUID)
        let id: String
        if let open = openJobs[key] {
            id = open
        } else {
            do {
                id = try openJob(key, now: now)
            } catch {
                logger.error("cannot open a job", metadata: ["error": "\(error)"])
                return nil
            }
        }
        pendingMoves[id, default: 0] += 1
        let folder = spool.jobFolder(id)
        // Numbers handed out only go up: a name given to a move still under way is never given again, even when
        // an earlier move failed and the folder holds fewer files than names were handed out. The folder is
        // listed only for the first file of a job in this run (after a restart it may hold files already);
        // listing it for every file made a series of n files cost O(n²).
        var n = (lastFileNumber[id] ?? Spool.inputFiles(in: folder).count) + 1
        var name = String(format: "%06d.dcm", n)
        while FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) {
            n += 1
            name = String(format: "%06d.dcm", n)
        }
        lastFileNumber[id] = n
        _ = settler.fileArrived(name, key: key, quiet: quietTime(for: watch), now: clock.now)
        return IntakeTarget(jobID: id, path: (folder as NSString).appendingPathComponent(name))
    }

    /// The move of a file announced by `accept` ended.
    public func moved(_ target: IntakeTarget, ok: Bool) {
        pendingMoves[target.jobID, default: 1] -= 1
        if pendingMoves[target.jobID] == 0 { pendingMoves[target.jobID] = nil }
        guard ok else { return }
        metrics.filesReceived += 1
        uncountedFiles[target.jobID, default: 0] += 1
    }

    /// Writes the file counts of collecting jobs that `moved` has not written yet.
    func writeFileCounts() {
        for (id, files) in uncountedFiles {
            _ = try? store.update(id, now: Date()) { $0.files += files }
        }
        uncountedFiles = [:]
    }

    /// Creates the job that collects a new batch of `key`'s files.
    func openJob(_ key: SeriesKey, now: Date) throws(DaemonError) -> String {
        let newest = try store.latest(watch: key.watch, seriesUID: key.seriesInstanceUID)
        // A job cancelled before any file reached it (a crash between its row and the first move) is no earlier
        // run: the series' files arrive now for the first time.
        let latest = newest.flatMap { $0.state == .cancelled && $0.files == 0 ? nil : $0 }
        let id = JobID.make(now: now)
        var job = JobRecord(id: id, state: .waitingQuiet, watch: key.watch, output: output(for: key.watch),
                            seriesUID: key.seriesInstanceUID, generation: (newest?.generation ?? 0) + 1,
                            rerunOf: latest?.id, now: now)
        job.models = []
        let folder = spool.jobFolder(id)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DaemonError(.folderUnusable, "cannot create the spool folder \(folder): \(error.localizedDescription)")
        }
        try Spool.writeText(Self.describe(job), to: (folder as NSString).appendingPathComponent(".job.json"))
        do {
            try store.insert(job, detail: latest == nil ? "first file arrived" : "files of a series seen before arrived (re-run of \(latest!.id))")
        } catch {
            // No job without its row: the file stays in the drop folder for the next scan.
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        openJobs[key] = id
        if latest != nil {
            logger.notice("series re-run", metadata: ["job": "\(id)", "series": "\(job.seriesHash)", "previous": "\(latest!.id)"])
        } else {
            logger.info("series arriving", metadata: ["job": "\(id)", "series": "\(job.seriesHash)"])
        }
        return id
    }

    /// A file in a drop folder is not usable DICOM: it goes to quarantine at once, with the reason, as a
    /// one-file job in state `quarantined`.
    ///
    /// The file work (folder, move, reason.txt, job.json, each synced) and the store row are done off the actor:
    /// a flood of junk files must not hold up the scheduler loop and the control socket's status. A file already
    /// gone (taken by another look at the folder) leaves nothing behind.
    public nonisolated func quarantineFile(_ path: String, watch: String, reason: String) async {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        let now = Date()
        var id = JobID.make(now: now)
        // An id from an earlier run of the daemon in the same second: its quarantine folder must not be reused.
        while access(spool.quarantineFolder(id), F_OK) == 0 { id = JobID.make(now: now) }
        var job = JobRecord(id: id, state: .quarantined, watch: watch, output: await output(for: watch), seriesUID: "",
                            generation: 1, now: now)
        job.files = 1
        job.errorCode = "unreadable"
        job.errorMessage = reason
        job.finishedAt = now
        let folder = spool.quarantineFolder(id)
        var moved: String?
        do {
            try Spool.makeWritableFolder(folder, key: "paths.quarantine")
            var name = SafePathComponent.fileName((path as NSString).lastPathComponent)
            // The folder also gets reason.txt and job.json: an input of that name must not be overwritten.
            if name == "reason.txt" || name == "job.json" { name = "input-" + name }
            let target = (folder as NSString).appendingPathComponent(name)
            try Spool.move(path, to: target)
            moved = target
            try Spool.writeText("\(reason)\noriginal name: \(SafePathComponent.printable((path as NSString).lastPathComponent))\n",
                                to: (folder as NSString).appendingPathComponent("reason.txt"))
            try Spool.writeText(Self.describe(job), to: (folder as NSString).appendingPathComponent("job.json"))
            try store.insert(job, detail: "not usable DICOM: \(reason)")
            await noteQuarantinedFile()
            logger.warning("file quarantined", metadata: ["job": "\(id)", "reason": "\(reason)"])
        } catch {
            // Nothing half-made stays: the file goes back where it was, an empty folder is removed.
            if let moved { _ = rename(moved, path) }
            for name in ["reason.txt", "job.json"] { unlink((folder as NSString).appendingPathComponent(name)) }
            rmdir(folder)
            logger.error("cannot quarantine a file", metadata: ["error": "\(error)"])
        }
    }

    func noteQuarantinedFile() { metrics.finished(outcome: "quarantined", model: "") }

    /// One turn of the timer loop: settle quiet series, start jobs that may start, enforce stage timeouts.
    func tick() {
        lastLoop = clock.now
        let now = clock.now
        writeFileCounts()
        for action in settler.tick(now: now) {
            guard case .startJob(let batch) = action, let id = openJobs.removeValue(forKey: batch.key) else { continue }
            settlerGenerations[id] = (batch.key, batch.generation)
            settledWaiting.insert(id)
        }
        for id in settledWaiting where pendingMoves[id] == nil {
            settledWaiting.remove(id)
            settle(id)
        }
        for (_, e) in unrecorded { finish(e.run, status: e.status, signal: e.signal, stderrTail: e.stderrTail) }
        checkTimeouts()
        dispatch()
    }

    /// A series has been quiet: its job joins the queue.
    func settle(_ id: String) {
        lastFileNumber[id] = nil
        uncountedFiles[id] = nil
        let files = Spool.inputFiles(in: spool.jobFolder(id)).count
        do {
            if files == 0 {
                try store.update(id, now: Date(), detail: "no file arrived") { $0.state = .cancelled }
                releaseSeries(id)
                return
            }
            let job = try store.update(id, now: Date(), detail: "quiet for its quiet time; \(files) files") {
                $0.state = .queued
                $0.files = files
            }
            logger.info("job queued", metadata: ["job": "\(id)", "series": "\(job.seriesHash)", "files": "\(files)"])
        } catch {
            // The store refused (locked by another process, full): settle it again at the next tick.
            logger.error("cannot queue a job; will try again", metadata: ["job": "\(id)", "error": "\(error)"])
            settledWaiting.insert(id)
        }
    }

    /// Tells the settler that the job holding a series has ended, so its next batch may start.
    func releaseSeries(_ id: String) {
        if let (key, generation) = settlerGenerations.removeValue(forKey: id) {
            settler.jobFinished(key, generation: generation, now: clock.now)
        }
    }

    static func describe(_ job: JobRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var copy = job
        copy.seriesUID = ""
        return String(decoding: (try? encoder.encode(copy)) ?? Data(), as: UTF8.self) + "\n"
    }
}
