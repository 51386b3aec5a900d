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
