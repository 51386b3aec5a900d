import Foundation
import Logging
import SegdCore
import Testing
@testable import SegDaemon

/// A scheduler on temporary folders that never starts a worker: `processing.workers = 0` (below the 1...64 a
/// configuration file may ask for) leaves no worker slot, so `tick()` settles series and queues jobs, and
/// `dispatch()` returns at once. The settler runs on the real clock; quiet times of 0 s settle at the next tick.
struct SchedulerRig {
    let tmp: TempFolder
    let config: SegdConfiguration
    let store: JobStore
    let scheduler: Scheduler
    var watch: String { config.watches[0].path }
    var output: String { config.watches[0].output }
    var spool: Spool { Spool(config.paths) }

    init(quietSeconds: Int) throws {
        tmp = try TempFolder("segd-sched")
        var c = SegdConfiguration()
        c.paths.state = tmp.sub("state")
        c.paths.spool = tmp.sub("spool")
        c.paths.quarantine = tmp.sub("quarantine")
        c.paths.archive = tmp.sub("archive")
        c.paths.models = tmp.sub("models")
        c.watches = [SegdConfiguration.Watch(path: tmp.sub("in"), output: tmp.sub("out"), quietSeconds: quietSeconds)]
        c.processing.workers = 0
        try Spool(c.paths).prepare()
        try tmp.folder("in")
        try tmp.folder("out")
        config = c
        store = try JobStore(directory: c.paths.state)
        scheduler = try Scheduler(config: c, store: store,
                                  options: .init(workerExecutable: "/nonexistent/segd", softwareVersion: "test"),
                                  logger: Logger(label: "segd-test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Drops a file into the watch folder and takes it in the way the ingest does: accept, move, moved.
    @discardableResult
    func ingest(_ name: String, series: String) async throws -> IntakeTarget {
        let path = try tmp.file("in/\(name)", "DICM \(name)")
        let target = try #require(await scheduler.accept(watch: watch, seriesUID: series))
        try Spool.move(path, to: target.path)
        await scheduler.moved(target, ok: true)
        return target
    }

    func state(_ id: String) throws -> JobState? { try store.job(id)?.state }
}

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

@Suite struct SchedulerQuarantineTests {
    static func quarantined(_ rig: SchedulerRig) throws -> (JobRecord, String) {
        let jobs = try rig.store.jobs(JobFilter(states: [.quarantined]))
        let job = try #require(jobs.first)
        #expect(jobs.count == 1)
        return (job, rig.spool.quarantineFolder(job.id))
    }

    @Test func anUnreadableFileGoesToQuarantineWithItsReasonAndRecord() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/notes.txt", "hello")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not a readable DICOM file: no preamble")
        let (job, folder) = try Self.quarantined(rig)
        #expect(job.files == 1 && job.errorCode == "unreadable" && job.finishedAt != nil && job.watch == rig.watch)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["notes.txt", "reason.txt", "job.json"])
        #expect(FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("notes.txt")) == Data("hello".utf8))
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.contains("not a readable DICOM file: no preamble") && reason.contains("original name: notes.txt"))
        let record = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("job.json")))) as? [String: Any])
        #expect(record["id"] as? String == job.id && record["state"] as? String == "quarantined")
        #expect(try rig.store.transitions(job.id).map(\.to) == [.quarantined])
        #expect(await rig.scheduler.metricsText().contains(#"segd_jobs_finished_total{outcome="quarantined",model=""} 1"#))
    }

    @Test func aHostileNameIsMadeSafeAndPrintedEscaped() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/bad\nname.dcm", "x")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not DICOM")
        let (_, folder) = try Self.quarantined(rig)
        #expect(FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("bad_name.dcm")))
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.contains("original name: bad\\u{a}name.dcm"))
    }

    /// A dropped file named like segd's own files in a quarantine folder must not be overwritten by them.
    @Test(arguments: ["reason.txt", "job.json"])
    func aFileNamedLikeTheReasonOrRecordIsKept(_ name: String) async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/\(name)", "the user's own bytes")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not DICOM")
        let (_, folder) = try Self.quarantined(rig)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 3, "\(names)")
        let kept = names.filter {
            FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent($0)) == Data("the user's own bytes".utf8)
        }
        #expect(kept.count == 1, "the input survives: \(names)")
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("not DICOM"))
    }
}

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
