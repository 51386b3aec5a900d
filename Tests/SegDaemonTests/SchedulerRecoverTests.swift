import Foundation
import Logging
import SegdCore
import Testing
@testable import SegDaemon

@Suite struct SchedulerRecoverTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    func insert(_ rig: SchedulerRig, _ id: String, _ state: JobState, series: String, at offset: TimeInterval,
                spoolFiles: Int, change: (inout JobRecord) -> Void = { _ in }) throws {
        var job = JobRecord(id: id, state: state, watch: rig.watch, output: rig.output, seriesUID: series, generation: 1,
                            now: Self.t0.addingTimeInterval(offset))
        change(&job)
        try rig.store.insert(job, detail: "test")
        try FileManager.default.createDirectory(atPath: rig.spool.jobFolder(id), withIntermediateDirectories: true)
        for i in 0..<spoolFiles {
            try Data("f\(i)".utf8).write(to: URL(fileURLWithPath: (rig.spool.jobFolder(id) as NSString)
                .appendingPathComponent(String(format: "%06d.dcm", i + 1))))
        }
    }

    @Test func aRunningJobGoesBackToQueuedWithoutCountingTheAttemptAndLosesItsPartialOutputs() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let id = "j-20250101-000000-aaaaaa"
        try insert(rig, id, .running, series: "1.1", at: 0, spoolFiles: 2) {
            $0.attempts = 2
            $0.stage = .inference
            $0.progress = 0.5
            $0.files = 2
            $0.models = ["liver"]
        }
        let partial = try rig.tmp.file("out/liver-abc-\(id).seg.dcm" + AtomicOutput.temporarySuffix, "half")
        let finished = try rig.tmp.file("out/liver-abc-j-20240101-000000-bbbbbb.seg.dcm", "done earlier")
        let othersPartial = try rig.tmp.file("out/liver-abc-j-20240101-000000-cccccc.seg.dcm" + AtomicOutput.temporarySuffix, "x")
        #expect(try await rig.scheduler.recover() == 1)
        let job = try #require(try rig.store.job(id))
        #expect(job.state == .queued && job.attempts == 1 && job.stage == nil && job.progress == nil)
        #expect(job.files == 2 && job.models == ["liver"])
        #expect(try rig.store.transitions(id).last?.detail == "resumed after a restart of segd")
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(FileManager.default.fileExists(atPath: finished) && FileManager.default.fileExists(atPath: othersPartial))
        // Still queued after ticks: no worker slot in this rig, and nothing else touches it.
        await rig.scheduler.tick()
        #expect(try rig.state(id) == .queued)
    }

    @Test func waitingJobsCountTheirSpoolFilesAndSettleAgainEmptyOnesAreCancelled() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        // A crash after two moves but before the file count was written.
        try insert(rig, "j-wait", .waitingQuiet, series: "2.2", at: 0, spoolFiles: 2) { $0.files = 1 }
        try insert(rig, "j-empty", .waitingQuiet, series: "3.3", at: 1, spoolFiles: 0)
        try insert(rig, "j-done", .done, series: "4.4", at: 2, spoolFiles: 1)
        #expect(try await rig.scheduler.recover() == 1)
        #expect(try rig.store.job("j-wait")?.files == 2 && rig.state("j-wait") == .waitingQuiet)
        #expect(try rig.state("j-empty") == .cancelled && rig.state("j-done") == .done)
        #expect(try rig.store.transitions("j-empty").last?.detail == "no file had arrived before a restart")
        await rig.scheduler.tick()
        #expect(try rig.state("j-wait") == .queued && rig.store.job("j-wait")?.files == 2)
        // A late file of the resumed series: the settled job is not reopened.
        let late = try await rig.ingest("late.dcm", series: "2.2")
        #expect(late.jobID != "j-wait")
    }

    @Test func aWaitingBatchOfASeriesWithAQueuedJobWaitsForThatJob() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        try insert(rig, "j-first", .queued, series: "5.5", at: 0, spoolFiles: 3) { $0.files = 3 }
        try insert(rig, "j-next", .waitingQuiet, series: "5.5", at: 1, spoolFiles: 1)
        #expect(try await rig.scheduler.recover() == 2)
        for _ in 0..<3 { await rig.scheduler.tick() }
        #expect(try rig.state("j-next") == .waitingQuiet, "never two jobs of one series at once")
        // The first job ends: the next batch may go.
        await rig.scheduler.releaseSeries("j-first")
        await rig.scheduler.tick()
        #expect(try rig.state("j-next") == .queued)
    }
}
