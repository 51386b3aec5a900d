import Foundation
import Testing
@testable import SegDaemon

@Suite struct JobStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    static func job(_ id: String, _ state: JobState = .waitingQuiet, watch: String = "/in", uid: String = "1.2.3",
                    at offset: TimeInterval = 0, generation: Int = 1) -> JobRecord {
        JobRecord(id: id, state: state, watch: watch, output: "/out", seriesUID: uid, generation: generation,
                  now: t0.addingTimeInterval(offset))
    }

    @Test func insertThenUpdateRecordsTransitionsOnStateChangeOnly() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.sub("state"))
        try store.insert(Self.job("j-a"), detail: "first file arrived")
        #expect(try store.job("j-a")?.state == .waitingQuiet)
        #expect(try store.job("j-nope") == nil)

        // No state change: the record changes, no transition is added.
        let t1 = Self.t0.addingTimeInterval(5)
        let updated = try store.update("j-a", now: t1, detail: "ignored") { $0.files += 3; $0.modality = "CT" }
        #expect(updated.files == 3 && updated.updatedAt == t1 && updated.finishedAt == nil)
        #expect(try store.job("j-a") == updated)

        try store.update("j-a", now: Self.t0.addingTimeInterval(10), detail: "quiet") { $0.state = .queued }
        try store.update("j-a", now: Self.t0.addingTimeInterval(11), detail: "started") { $0.state = .running; $0.stage = .decode }
        try store.update("j-a", now: Self.t0.addingTimeInterval(12)) { $0.progress = 0.5 }
        let transitions = try store.transitions("j-a")
        #expect(transitions.map(\.from) == [nil, .waitingQuiet, .queued])
        #expect(transitions.map(\.to) == [.waitingQuiet, .queued, .running])
        #expect(transitions.map(\.detail) == ["first file arrived", "quiet", "started"])
        #expect(transitions.map(\.at) == [Self.t0, Self.t0.addingTimeInterval(10), Self.t0.addingTimeInterval(11)])
    }

    @Test func finishedAtIsSetOnAFinalStateAndClearedWhenTheJobIsRequeued() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        try store.insert(Self.job("j-a", .running), detail: "")
        let failedAt = Self.t0.addingTimeInterval(60)
        let failed = try store.update("j-a", now: failedAt, detail: "boom") { $0.state = .failed }
        #expect(failed.finishedAt == failedAt)
        // A change that keeps it final keeps the original finish time.
        let later = try store.update("j-a", now: failedAt.addingTimeInterval(30)) { $0.errorMessage = "note" }
        #expect(later.finishedAt == failedAt)
        // An operator's retry: not final any more.
        let retried = try store.update("j-a", now: failedAt.addingTimeInterval(90), detail: "retry") { $0.state = .queued }
        #expect(retried.finishedAt == nil)
        #expect(try store.job("j-a")?.finishedAt == nil)
    }

    @Test func startableJobsAreQueuedAndDueOldestFirstUpToTheLimit() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        try store.insert(Self.job("j-wait", .waitingQuiet, at: 0), detail: "")
        try store.insert(Self.job("j-run", .running, at: 1), detail: "")
        var later = Self.job("j-retry-later", .queued, at: 2)
        later.nextAttemptAt = Self.t0.addingTimeInterval(100)
        try store.insert(later, detail: "")
        var due = Self.job("j-retry-due", .queued, at: 3)
        due.nextAttemptAt = Self.t0.addingTimeInterval(50)
        try store.insert(due, detail: "")
        try store.insert(Self.job("j-new-1", .queued, at: 4), detail: "")
        try store.insert(Self.job("j-new-2", .queued, at: 5), detail: "")
        try store.insert(Self.job("j-done", .done, at: 6), detail: "")

        let now = Self.t0.addingTimeInterval(60)
        #expect(try store.startable(now: now, limit: 10).map(\.id) == ["j-retry-due", "j-new-1", "j-new-2"])
        #expect(try store.startable(now: now, limit: 2).map(\.id) == ["j-retry-due", "j-new-1"])
        #expect(try store.startable(now: now, limit: 0).isEmpty)
        #expect(try store.startable(now: Self.t0.addingTimeInterval(200), limit: 1).map(\.id) == ["j-retry-later"])
    }

    @Test func updatingAnUnknownJobIsJobNotFound() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        let error = #expect(throws: DaemonError.self) { try store.update("j-none", now: Self.t0) { $0.files = 1 } }
        #expect(error?.code == .jobNotFound)
        #expect(error?.message.contains("j-none") == true)
    }

    @Test func anErrorThrownInsideTheChangeRollsBack() throws {
        struct Oops: Error {}
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        try store.insert(Self.job("j-a"), detail: "")
        #expect(throws: DaemonError.self) {
            try store.update("j-a", now: Self.t0, detail: "x") { $0.state = .failed; throw Oops() }
        }
        #expect(try store.job("j-a")?.state == .waitingQuiet)
        #expect(try store.transitions("j-a").count == 1)
    }

    @Test func listingFiltersByStateModelAndSinceNewestFirstWithALimit() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        // Inserted out of order on purpose; the ids tie-break equal creation times (newest = larger id first).
        var a = Self.job("j-a", .done, at: 10); a.models = ["liver"]
        var b = Self.job("j-b", .failed, at: 30); b.models = ["liver", "spleen"]
        var c = Self.job("j-c", .queued, at: 20); c.submittedModel = "spleen"
        let d = Self.job("j-d", .queued, at: 30)
        for j in [c, a, d, b] { try store.insert(j, detail: "") }

        #expect(try store.jobs(JobFilter()).map(\.id) == ["j-d", "j-b", "j-c", "j-a"])
        #expect(try store.jobs(JobFilter(states: [.queued])).map(\.id) == ["j-d", "j-c"])
        #expect(try store.jobs(JobFilter(states: [.done, .failed])).map(\.id) == ["j-b", "j-a"])
        #expect(try store.jobs(JobFilter(model: "liver")).map(\.id) == ["j-b", "j-a"])
        #expect(try store.jobs(JobFilter(model: "spleen")).map(\.id) == ["j-b", "j-c"], "a submitted model counts")
        #expect(try store.jobs(JobFilter(model: "none")).isEmpty)
        #expect(try store.jobs(JobFilter(since: Self.t0.addingTimeInterval(20))).map(\.id) == ["j-d", "j-b", "j-c"])
        #expect(try store.jobs(JobFilter(limit: 2)).map(\.id) == ["j-d", "j-b"])
        // The limit applies after the model filter.
        #expect(try store.jobs(JobFilter(model: "liver", limit: 1)).map(\.id) == ["j-b"])
        #expect(try store.jobs(JobFilter(states: [.queued], since: Self.t0.addingTimeInterval(25))).map(\.id) == ["j-d"])
        #expect(try store.jobs(JobFilter(limit: 0)).isEmpty)
    }

    @Test func unfinishedIsOldestFirstAndLatestIsPerWatchAndSeries() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        try store.insert(Self.job("j-1", .done, at: 1), detail: "")
        try store.insert(Self.job("j-3", .running, at: 3, generation: 2), detail: "")
        try store.insert(Self.job("j-2", .queued, uid: "9.9", at: 2), detail: "")
        try store.insert(Self.job("j-4", .waitingQuiet, watch: "/other", at: 4), detail: "")
        try store.insert(Self.job("j-5", .cancelled, at: 5), detail: "")
        #expect(try store.unfinished().map(\.id) == ["j-2", "j-3", "j-4"])
        #expect(try store.latest(watch: "/in", seriesUID: "1.2.3")?.id == "j-5")
        #expect(try store.latest(watch: "/in", seriesUID: "9.9")?.id == "j-2")
        #expect(try store.latest(watch: "/other", seriesUID: "1.2.3")?.id == "j-4")
        #expect(try store.latest(watch: "/other", seriesUID: "9.9") == nil)
    }

    @Test func countsByStateListsEveryState() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        let empty = try store.countsByState()
        #expect(Set(empty.keys) == Set(JobState.allCases) && empty.values.allSatisfy { $0 == 0 })
        try store.insert(Self.job("j-1", .done), detail: "")
        try store.insert(Self.job("j-2", .done), detail: "")
        try store.insert(Self.job("j-3", .queued), detail: "")
        let counts = try store.countsByState()
        #expect(Set(counts.keys) == Set(JobState.allCases))
        #expect(counts[.done] == 2 && counts[.queued] == 1 && counts[.failed] == 0 && counts[.waitingQuiet] == 0)
    }

    @Test func stagesAreKeptPerAttemptInOrder() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path)
        try store.insert(Self.job("j-a", .running), detail: "")
        try store.insert(Self.job("j-b", .running), detail: "")
        try store.recordStage("j-a", attempt: 1, stage: "decode", seconds: 1.5)
        try store.recordStage("j-b", attempt: 1, stage: "decode", seconds: 9)
        try store.recordStage("j-a", attempt: 2, stage: "decode", seconds: 1.25)
        try store.recordStage("j-a", attempt: 2, stage: "inference", seconds: 30)
        #expect(try store.stages("j-a") == [StageTiming(attempt: 1, stage: "decode", seconds: 1.5),
                                            StageTiming(attempt: 2, stage: "decode", seconds: 1.25),
                                            StageTiming(attempt: 2, stage: "inference", seconds: 30)])
        #expect(try store.stages("j-b").count == 1)
        #expect(try store.stages("j-none").isEmpty)
    }

    @Test func reopeningTheStoreKeepsEverything() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        var job = Self.job("j-a", .running)
        job.models = ["liver"]
        job.outputs = ["seg:liver": "/out/x.seg.dcm"]
        job.nextAttemptAt = Self.t0.addingTimeInterval(99)
        job.estimatedPeakBytes = 123_456_789
        do {
            let store = try JobStore(directory: tmp.path)
            try store.insert(job, detail: "first")
            try store.recordStage("j-a", attempt: 1, stage: "decode", seconds: 2)
        }
        let again = try JobStore(directory: tmp.path)
        #expect(again.path == tmp.sub("segd.sqlite"))
        #expect(try again.job("j-a") == job)
        #expect(try again.transitions("j-a").map(\.detail) == ["first"])
        #expect(try again.stages("j-a").count == 1)
        try again.update("j-a", now: Self.t0.addingTimeInterval(1), detail: "done") { $0.state = .done }
        #expect(try JobStore(directory: tmp.path).job("j-a")?.state == .done)
    }
}
