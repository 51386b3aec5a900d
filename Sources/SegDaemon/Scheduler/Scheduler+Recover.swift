import Foundation
import Logging
import SegdCore

extension Scheduler {
    /// Rebuilds the scheduler's memory from the store after a start (clean or after a crash):
    /// - `running` jobs go back to `queued` (the daemon died, not the job: the attempt does not count) and their
    ///   partial outputs are removed; the same output names are written again, so no SEG is duplicated;
    /// - `waiting-quiet` jobs restart their quiet time from now, with the files already in their spool folder;
    /// - `done`/`unrouted` jobs whose input outlived the retention policy (a crash in between) get it applied.
    /// Returns the number of jobs resumed.
    @discardableResult
    public func recover() throws(DaemonError) -> Int {
        let now = Date()
        var resumed = 0
        for job in try store.unfinished() {
            let key = SeriesKey(watch: job.watch, seriesInstanceUID: job.seriesUID)
            switch job.state {
            case .running:
                try store.update(job.id, now: now, detail: "resumed after a restart of segd") {
                    $0.state = .queued
                    $0.stage = nil
                    $0.progress = nil
                    $0.attempts = max(0, $0.attempts - 1)
                }
                removeTemporaryOutputs(job.id)
                holdSeries(key, job.id)
                resumed += 1
            case .queued:
                holdSeries(key, job.id)
                resumed += 1
            case .waitingQuiet:
                // The files moved so far count; the quiet time starts again.
                let files = Spool.inputFiles(in: spool.jobFolder(job.id))
                for file in files {
                    _ = settler.fileArrived((file as NSString).lastPathComponent, key: key,
                                            quiet: quietTime(for: job.watch), now: clock.now)
                }
                if files.isEmpty {
                    // The job row was written but no file moved before the crash: a fresh batch starts when the
                    // file is found again in the drop folder.
                    try store.update(job.id, now: now, detail: "no file had arrived before a restart") { $0.state = .cancelled }
                    continue
                }
                try store.update(job.id, now: now) { $0.files = files.count }
                openJobs[key] = job.id
                resumed += 1
            default:
                break
            }
        }
        if config.processing.retention != .keep {
            let recent = try store.finished(states: [.done, .unrouted], since: now.addingTimeInterval(-30 * 86400))
            for job in recent where FileManager.default.fileExists(atPath: spool.jobFolder(job.id)) {
                applyRetention(job)
            }
        }
        if resumed > 0 { logger.notice("jobs resumed", metadata: ["count": "\(resumed)"]) }
        return resumed
    }

    /// Marks a series as having a job queued or running, so the settler does not start a second one for it.
    func holdSeries(_ key: SeriesKey, _ id: String) {
        _ = settler.fileArrived("(held)", key: key, quiet: .zero, now: clock.now)
        for action in settler.tick(now: clock.now) {
            if case .startJob(let batch) = action, batch.key == key {
                settlerGenerations[id] = (batch.key, batch.generation)
            } else if case .startJob(let batch) = action, let other = openJobs.removeValue(forKey: batch.key) {
                settlerGenerations[other] = (batch.key, batch.generation)
                settledWaiting.insert(other)
            }
        }
    }
}
