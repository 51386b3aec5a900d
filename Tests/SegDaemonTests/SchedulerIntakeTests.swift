import Foundation
import Logging
import SegdCore
import Testing
@testable import SegDaemon

@Suite struct SchedulerIntakeTests {
    @Test func filesOfASeriesGatherInOneJobThatIsQueuedOnceQuietAndMoved() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let first = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        let second = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        #expect(first.jobID == second.jobID && JobID.isValid(first.jobID))
        #expect(first.path == (rig.spool.jobFolder(first.jobID) as NSString).appendingPathComponent("000001.dcm"))
        #expect(second.path == (rig.spool.jobFolder(first.jobID) as NSString).appendingPathComponent("000002.dcm"))
        let job = try #require(try rig.store.job(first.jobID))
        #expect(job.state == .waitingQuiet && job.files == 0 && job.generation == 1 && job.rerunOf == nil)
        #expect(job.output == rig.output && job.seriesHash == UIDHash.short("1.2.3"))
        // The spool's job.json is for people: no SeriesInstanceUID in it.
        let described = try String(contentsOfFile: (rig.spool.jobFolder(first.jobID) as NSString).appendingPathComponent(".job.json"), encoding: .utf8)
        #expect(described.contains(first.jobID) && !described.contains("1.2.3\""))

        // Quiet time 0 has passed, but a move is still under way: the job waits for it.
        try Data("a".utf8).write(to: URL(fileURLWithPath: first.path))
        await rig.scheduler.moved(first, ok: true)
        await rig.scheduler.tick()
        #expect(try rig.state(first.jobID) == .waitingQuiet)
        try Data("b".utf8).write(to: URL(fileURLWithPath: second.path))
        await rig.scheduler.moved(second, ok: true)
        await rig.scheduler.tick()
        let queued = try #require(try rig.store.job(first.jobID))
        #expect(queued.state == .queued && queued.files == 2)
        #expect(try rig.store.transitions(first.jobID).map(\.to) == [.waitingQuiet, .queued])
        #expect(try rig.store.transitions(first.jobID).last?.detail == "quiet for its quiet time; 2 files")
        #expect(await rig.scheduler.metrics.filesReceived == 2)

        // Later files of the same series: a new job, a re-run of the first.
        let late = try await rig.ingest("late.dcm", series: "1.2.3")
        #expect(late.jobID != first.jobID)
        let rerun = try #require(try rig.store.job(late.jobID))
        #expect(rerun.generation == 2 && rerun.rerunOf == first.jobID && rerun.state == .waitingQuiet)
    }

    @Test func aSeriesStillArrivingIsNotQueued() async throws {
        let rig = try SchedulerRig(quietSeconds: 3600)
        defer { rig.tmp.remove() }
        let t = try await rig.ingest("1.dcm", series: "1.2.3")
        let other = try await rig.ingest("2.dcm", series: "4.5.6")
        #expect(t.jobID != other.jobID, "one job per series")
        for _ in 0..<3 { await rig.scheduler.tick() }
        #expect(try rig.state(t.jobID) == .waitingQuiet && rig.state(other.jobID) == .waitingQuiet)
        #expect(try rig.store.job(t.jobID)?.files == 1)
        #expect(!FileManager.default.fileExists(atPath: rig.tmp.sub("in/1.dcm")))
    }

    @Test func aBatchWhoseFilesNeverArrivedIsCancelled() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let t = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        await rig.scheduler.moved(t, ok: false)
        await rig.scheduler.tick()
        let job = try #require(try rig.store.job(t.jobID))
        #expect(job.state == .cancelled && job.files == 0 && job.finishedAt != nil)
        #expect(try rig.store.transitions(t.jobID).last?.detail == "no file arrived")
        // The series is free again: its next file opens a new job.
        let next = try await rig.ingest("1.dcm", series: "1.2.3")
        #expect(next.jobID != t.jobID)
    }

    /// Two moves under way, the first one fails, a third file comes: it must not get the second one's name
    /// (a rename onto it would replace the second file).
    @Test func aNameHandedOutIsNotHandedOutAgainAfterAFailedMove() async throws {
        let rig = try SchedulerRig(quietSeconds: 3600)
        defer { rig.tmp.remove() }
        let a = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        let b = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        await rig.scheduler.moved(a, ok: false)
        let c = try #require(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3"))
        #expect(Set([a.path, b.path, c.path]).count == 3, "\(b.path) \(c.path)")
        for t in [b, c] {
            try Data(t.path.utf8).write(to: URL(fileURLWithPath: t.path))
            await rig.scheduler.moved(t, ok: true)
        }
        #expect(Spool.inputFiles(in: rig.spool.jobFolder(a.jobID)).count == 2)
        // The count reaches the store at the next turn of the loop (one commit per job, not per file).
        await rig.scheduler.tick()
        #expect(try rig.store.job(a.jobID)?.files == 2)
    }

    @Test func pausedIntakeAcceptsNothing() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        await rig.scheduler.setPaused(true)
        #expect(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3") == nil)
        #expect(try rig.store.jobs(JobFilter()).isEmpty)
        await rig.scheduler.setPaused(false)
        #expect(await rig.scheduler.accept(watch: rig.watch, seriesUID: "1.2.3") != nil)
    }
}
