import Testing
@testable import SegDaemon

@Suite struct SeriesSettlerTests {
    let clock = ManualClock()
    let key = SeriesKey(watch: "/in", seriesInstanceUID: "1.2.3")
    let quiet = Duration.seconds(30)

    @Test func seriesBecomesAJobOnlyAfterTheQuietTime() {
        var s = SeriesSettler<ManualClock.Instant>()
        #expect(s.fileArrived("a", key: key, quiet: quiet, now: clock.now) == [.batchOpened(key, generation: 1)])
        clock.advance(by: .seconds(20))
        #expect(s.fileArrived("b", key: key, quiet: quiet, now: clock.now).isEmpty)
        clock.advance(by: .seconds(29))
        #expect(s.tick(now: clock.now).isEmpty, "b arrived 29 s ago: not quiet yet")
        #expect(s.nextDeadline == clock.now.advanced(by: .seconds(1)))
        #expect(s.state(of: key) == .waitingQuiet(generation: 1, files: 2))
        clock.advance(by: .seconds(1))
        let actions = s.tick(now: clock.now)
        #expect(actions == [.startJob(.init(key: key, generation: 1, files: ["a", "b"]))])
        #expect(s.tick(now: clock.now).isEmpty, "a job starts once")
        #expect(s.state(of: key) == .running(generation: 1, nextBatchFiles: 0))
    }

    @Test func duplicateArrivalsCountOnceButRestartTheTimer() {
        var s = SeriesSettler<ManualClock.Instant>()
        _ = s.fileArrived("a", key: key, quiet: quiet, now: clock.now)
        clock.advance(by: .seconds(25))
        _ = s.fileArrived("a", key: key, quiet: quiet, now: clock.now)
        clock.advance(by: .seconds(25))
        #expect(s.tick(now: clock.now).isEmpty)
        clock.advance(by: .seconds(5))
        #expect(s.tick(now: clock.now) == [.startJob(.init(key: key, generation: 1, files: ["a"]))])
    }

    @Test func lateFilesAfterAFinishedJobStartARerun() throws {
        var s = SeriesSettler<ManualClock.Instant>()
        _ = s.fileArrived("a", key: key, quiet: quiet, now: clock.now)
        clock.advance(by: quiet)
        #expect(s.tick(now: clock.now).count == 1)
        clock.advance(by: .seconds(100))
        s.jobFinished(key, generation: 1, now: clock.now)
        #expect(s.state(of: key) == .finished(generation: 1))
        clock.advance(by: .seconds(3600))
        #expect(s.fileArrived("c", key: key, quiet: quiet, now: clock.now) == [.batchOpened(key, generation: 2)])
        clock.advance(by: quiet)
        let actions = s.tick(now: clock.now)
        guard case .startJob(let batch) = try #require(actions.first) else { Issue.record("no job"); return }
        #expect(batch.generation == 2 && batch.isRerun && batch.files == ["c"])
    }

    @Test func filesDuringARunningJobWaitForItToFinish() {
        var s = SeriesSettler<ManualClock.Instant>()
        _ = s.fileArrived("a", key: key, quiet: quiet, now: clock.now)
        clock.advance(by: quiet)
        _ = s.tick(now: clock.now)
        #expect(s.fileArrived("b", key: key, quiet: quiet, now: clock.now) == [.batchOpened(key, generation: 2)])
        clock.advance(by: .seconds(120))
        #expect(s.tick(now: clock.now).isEmpty, "never two jobs of one series at once")
        #expect(s.nextDeadline == nil)
        #expect(s.state(of: key) == .running(generation: 1, nextBatchFiles: 1))
        s.jobFinished(key, generation: 2, now: clock.now)  // wrong generation: ignored
        #expect(s.tick(now: clock.now).isEmpty)
        s.jobFinished(key, generation: 1, now: clock.now)
        #expect(s.tick(now: clock.now) == [.startJob(.init(key: key, generation: 2, files: ["b"]))])
    }

    @Test func eachWatchFolderHasItsOwnQuietTimeAndSeriesAreIndependent() {
        var s = SeriesSettler<ManualClock.Instant>()
        let fast = SeriesKey(watch: "/fast", seriesInstanceUID: "9.9")
        _ = s.fileArrived("x", key: key, quiet: .seconds(30), now: clock.now)
        _ = s.fileArrived("y", key: fast, quiet: .seconds(5), now: clock.now)
        #expect(s.nextDeadline == clock.now.advanced(by: .seconds(5)))
        clock.advance(by: .seconds(5))
        #expect(s.tick(now: clock.now) == [.startJob(.init(key: fast, generation: 1, files: ["y"]))])
        clock.advance(by: .seconds(25))
        #expect(s.tick(now: clock.now) == [.startJob(.init(key: key, generation: 1, files: ["x"]))])
    }

    @Test func finishedSeriesAreForgottenAfterTheMemoryWindowAndCanBeSeeded() {
        var s = SeriesSettler<ManualClock.Instant>(rememberFinished: .seconds(600))
        s.recordFinished(key, generation: 3, now: clock.now)
        #expect(s.fileArrived("z", key: key, quiet: quiet, now: clock.now) == [.batchOpened(key, generation: 4)])
        clock.advance(by: quiet)
        _ = s.tick(now: clock.now)
        s.jobFinished(key, generation: 4, now: clock.now)
        #expect(s.trackedCount == 1)
        clock.advance(by: .seconds(599))
        _ = s.tick(now: clock.now)
        #expect(s.trackedCount == 1)
        clock.advance(by: .seconds(1))
        _ = s.tick(now: clock.now)
        #expect(s.trackedCount == 0 && s.state(of: key) == .unknown)
    }
}
