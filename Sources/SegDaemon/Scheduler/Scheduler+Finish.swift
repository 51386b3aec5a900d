import Foundation
import Logging
import SegdCore

extension Scheduler {
    /// The worker of `run` exited: decide the job's outcome.
    ///
    /// When the store refuses the outcome (locked by another process beyond its busy timeout), the job would stay
    /// `running` with no worker behind it; it is kept in `unrecorded` and decided again at the next ticks.
    func finish(_ run: RunningJob, status: Int32, signal: Int32?, stderrTail: String) {
        running[run.id] = nil
        memoryInUse -= run.admittedBytes
        run.admittedBytes = 0
        unrecorded[run.id] = nil
        defer {
            if (try? store.job(run.id))?.state == .running {
                unrecorded[run.id] = (run, status, signal, stderrTail)
                logger.error("cannot record the outcome of a job; will try again", metadata: ["job": "\(run.id)"])
            }
            tryAdmit()
        }
        let now = Date()
        if run.shutdownKill {
            // The daemon is stopping: the job is resumed at the next start, and this attempt does not count.
            _ = try? store.update(run.id, now: now, detail: "daemon stopping; resumed at next start") {
                $0.state = .queued
                $0.stage = nil
                $0.attempts = max(0, $0.attempts - 1)
            }
            removeTemporaryOutputs(run.id)
            return
        }
        if run.cancelled {
            _ = try? store.update(run.id, now: now, detail: "cancelled by an operator") { $0.state = .cancelled; $0.stage = nil }
            removeTemporaryOutputs(run.id)
            releaseSeries(run.id)
            metrics.finished(outcome: "cancelled", model: "")
            return
        }
        if let (stage, seconds) = run.timedOut {
            metrics.workerRestarts += 1
            fail(run.id, attempt: run.attempt, FailureClassifier.classify(timeoutIn: stage, seconds: seconds), code: "timeout")
            return
        }
        if let signal {
            metrics.workerRestarts += 1
            var failure = FailureClassifier.classify(workerSignal: signal)
            failure.reason += " in stage \(run.stage.rawValue)" + Self.tailNote(stderrTail)
            fail(run.id, attempt: run.attempt, failure, code: "worker-signal")
            return
        }
        if run.unrouted { unrouted(run.id); return }
        if let refused = run.refused {
            fail(run.id, attempt: run.attempt, JobFailure(.permanent, reason: refused), code: "refused")
            return
        }
        if status == 0, !run.outputs.isEmpty {
            complete(run)
            return
        }
        if let m = run.failure {
            let failure = JobFailure(m.transient == true ? .transient : .permanent, quarantine: m.quarantine == true,
                                     reason: m.message ?? "the worker failed")
            fail(run.id, attempt: run.attempt, failure, code: m.code ?? "error")
            return
        }
        metrics.workerRestarts += 1
        fail(run.id, attempt: run.attempt,
             JobFailure(.permanent, reason: "the worker exited with status \(status) without saying why" + Self.tailNote(stderrTail)),
             code: "worker-exit")
    }

    static func tailNote(_ tail: String) -> String {
        let lines = tail.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "" : "; worker stderr: \(lines.prefix(600))"
    }

    /// Every model's SEG is in place: the job is done, then the retention policy applies to its input.
    func complete(_ run: RunningJob) {
        let now = Date()
        let outputs = run.outputs
        let routing = run.routing
        guard let job = try? store.update(run.id, now: now, detail: "SEG written", {
            if let routing, $0.models.isEmpty {
                $0.modality = routing.modality
                $0.models = routing.models
                $0.rule = routing.rule
                $0.routing = routing.lines
            }
            $0.state = .done
            $0.stage = nil
            $0.progress = nil
            $0.outputs = outputs
            $0.errorCode = nil
            $0.errorMessage = nil
        }) else { return }
        releaseSeries(run.id)
        applyRetention(job)
        for model in job.models { metrics.finished(outcome: "done", model: model) }
        metrics.observeLatency(now.timeIntervalSince(job.createdAt))
        logger.notice("job done", metadata: ["job": "\(job.id)", "series": "\(job.seriesHash)",
                                             "models": "\(job.models.joined(separator: ","))"])
    }

    func unrouted(_ id: String) {
        guard let job = try? store.update(id, now: Date(), detail: "no routing rule matched", {
            $0.state = .unrouted
            $0.stage = nil
        }) else { return }
        releaseSeries(id)
        applyRetention(job)
        metrics.finished(outcome: "unrouted", model: "")
        logger.notice("job unrouted", metadata: ["job": "\(id)", "series": "\(job.seriesHash)"])
    }

    /// A failed attempt: retry later, fail, or quarantine the input.
    func fail(_ id: String, attempt: Int, _ failure: JobFailure, code: String) {
        let now = Date()
        removeTemporaryOutputs(id)
        let decision: RetryPolicy.Decision<ContinuousClock.Instant> =
            config.retry.decide(afterAttempt: attempt, failure: failure, failedAt: clock.now)
        switch decision {
        case .retry(let next, let delay, _):
            let due = now.addingTimeInterval(delay.secondsValue)
            _ = try? store.update(id, now: now, detail: "attempt \(attempt) failed (\(failure.reason)); attempt \(next) after \(Int(delay.secondsValue)) s") {
                $0.state = .queued
                $0.stage = nil
                $0.nextAttemptAt = due
                $0.errorCode = code
                $0.errorMessage = failure.reason
            }
            logger.warning("job will retry", metadata: ["job": "\(id)", "code": "\(code)", "attempt": "\(attempt)"])
        case .giveUp(let reason):
            let state: JobState = failure.quarantine ? .quarantined : .failed
            guard let job = try? store.update(id, now: now, detail: reason, {
                $0.state = state
                $0.stage = nil
                $0.errorCode = code
                $0.errorMessage = failure.reason
            }) else { return }
            if failure.quarantine { quarantine(job) }
            releaseSeries(id)
            for model in job.models.isEmpty ? [""] : job.models { metrics.finished(outcome: state.rawValue, model: model) }
            logger.error("job failed", metadata: ["job": "\(id)", "series": "\(job.seriesHash)", "code": "\(code)",
                                                  "state": "\(state.rawValue)"])
        }
    }

    /// Moves a job's input to quarantine with `reason.txt` and the job record.
    func quarantine(_ job: JobRecord) {
        let target = spool.quarantineFolder(job.id)
        do {
            try Spool.moveFolder(spool.jobFolder(job.id), to: target)
            let reason = "\(job.errorMessage ?? "bad input")\ncode: \(job.errorCode ?? "")\njob: \(job.id)\nfiles: \(job.files)\n"
            try Spool.writeText(reason, to: (target as NSString).appendingPathComponent("reason.txt"))
            try Spool.writeText(Self.describe(job), to: (target as NSString).appendingPathComponent("job.json"))
        } catch {
            logger.error("cannot quarantine a job", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// What happens to the input of a done or unrouted job: kept in the spool, archived, or deleted.
    func applyRetention(_ job: JobRecord) {
        let folder = spool.jobFolder(job.id)
        guard FileManager.default.fileExists(atPath: folder) else { return }
        do {
            switch config.processing.retention {
            case .keep: return
            case .archive: try Spool.moveFolder(folder, to: spool.archiveFolder(job.id))
            case .delete: try FileManager.default.removeItem(atPath: folder)
            }
        } catch {
            logger.error("cannot apply the retention policy", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Removes partial outputs a killed attempt of `id` may have left: `*.segd-tmp`, and the SEG writer's own
    /// temporary `*.segd-tmp.tmp` (it writes there before renaming to the `.segd-tmp` name).
    func removeTemporaryOutputs(_ id: String) {
        guard let job = try? store.job(id) else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: job.output)) ?? []
        for name in names where name.contains(id) && name.contains(AtomicOutput.temporarySuffix) {
            try? FileManager.default.removeItem(atPath: (job.output as NSString).appendingPathComponent(name))
        }
    }
}
