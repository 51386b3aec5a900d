import Foundation
import SegDaemon
import TestSupport
import Testing

/// Another process holds the job store's SQLite file locked (`BEGIN EXCLUSIVE`) while jobs run.
///
/// What the daemon does meanwhile: reads go on (WAL), every write waits the store's busy timeout (10 s) and
/// then fails. A worker that ends during the lock has its outcome kept in memory and recorded once the lock is
/// gone; a settled series stays `waiting-quiet` and is queued at a later tick; a job start waits; a file that
/// arrives cannot get a job row and stays in the drop folder until the next rescan. Progress and stage-timing
/// writes that fail are lost (they are not state). The daemon does not crash and no job is left stuck.
@Suite(.serialized) struct DaemonStoreLockTests {
    /// `python3` holding `BEGIN EXCLUSIVE` on `path` until its stdin closes.
    final class Locker: @unchecked Sendable {
        let process = Process()
        let input = Pipe()

        init(_ path: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", """
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
                c.execute("BEGIN EXCLUSIVE")
                print("locked", flush=True)
                sys.stdin.read()
                c.execute("ROLLBACK")
                """, path]
            let out = Pipe()
            process.standardInput = input
            process.standardOutput = out
            try process.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            #expect(line.hasPrefix("locked"), "the locker holds the lock: \(line)")
        }

        func release() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    @Test func aStoreLockedByAnotherProcessDelaysJobsButLosesNone() async throws { try await offPool {
        let d = try DaemonHarness(ingest: "rescanSeconds = 5")
        defer { d.remove() }
        try d.start()
        try d.drop(DaemonTests.smallCT, as: "a", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the first job runs", timeout: 180) { try d.jobs().first?.state == .running }
        let first = try #require(try d.jobs().first)
        let locker = try Locker(d.state.appendingPathComponent("segd.sqlite").path)
        let lockedAt = Date()
        // A second series arrives while the store is locked.
        try d.drop(DaemonFaultTests.enhancedCT, as: "b", pause: 0, only: DaemonTests.dicomOnly)
        // Hold the lock until the first job's worker has ended and the daemon has failed to record its outcome.
        try d.waitUntil("the first job's worker ends", timeout: 240) {
            let (_, pids) = try DaemonHarness.run("/usr/bin/pgrep", ["-f", "worker --spec .*\(first.id)"])
            return pids.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        try d.waitUntil("the daemon fails to record the outcome", timeout: 240) {
            d.logText.contains("cannot record the outcome of a job; will try again")
        }
        #expect(d.isRunning, "the daemon is up while the store is locked")
        #expect(try d.store().job(first.id)?.state == .running, "the outcome is not recorded while the lock is held")
        // segctl still answers (reads are not blocked in WAL mode); its latency is reported, not asserted.
        let segctl = DaemonHarness.buildFolder.appendingPathComponent("segctl").path
        let asked = Date()
        let (status, text) = try DaemonHarness.run(segctl, ["status", "--socket", d.root.appendingPathComponent("control.sock").path])
        print("segctl status during the lock: exit \(status) after \(String(format: "%.1f", Date().timeIntervalSince(asked))) s: \(text.prefix(200))")
        locker.release()
        print("store locked for \(String(format: "%.0f", Date().timeIntervalSince(lockedAt))) s")

        try d.waitUntil("both jobs are done after the lock is released", timeout: 300) {
            let jobs = try d.jobs()
            return jobs.count == 2 && jobs.allSatisfy { $0.state == .done }
        }
        let jobs = try d.jobs()
        #expect(jobs.map(\.files).sorted() == [1, 3], "\(jobs.map(\.files))")
        #expect(d.files(in: d.output).filter { $0.hasSuffix(".seg.dcm") }.count == 2)
        #expect(d.files(in: d.watch).isEmpty, "nothing is left in the drop folder")
        let refusals = d.logText.split(separator: "\n").filter { $0.contains("database is locked") }.count
        print("log lines with \"database is locked\": \(refusals)")
        #expect(d.isRunning)
        #expect(d.stop() == 0)
    }
    }
}
