import Foundation
import GRDB
import Testing
@testable import SegDaemon

/// The job store refusing a state folder it cannot use, and meeting a lock held by another connection.
@Suite struct JobStoreFailureTests {
    @Test func aRegularFileInPlaceOfTheStateFolderIsStateUnusable() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let file = try tmp.file("state", "not a folder")
        for directory in [file, (file as NSString).appendingPathComponent("below")] {
            let error = #expect(throws: DaemonError.self) { try JobStore(directory: directory) }
            #expect(error?.code == .stateUnusable)
            #expect(error?.message.contains("cannot create the state folder \(directory)") == true, "\(String(describing: error))")
            #expect(error?.message.contains("write access") == true)
        }
    }

    /// A folder segd cannot write. chmod does not stop root, so as root the folder is made immutable instead
    /// (`chattr +i`, which denies writes to root too); the test fails, not skips, when that is not possible.
    @Test func aReadOnlyStateFolderIsStateUnusable() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let state = try tmp.folder("state")
        let asRoot = getuid() == 0
        if asRoot {
            try Self.chattr("+i", state)
        } else {
            #expect(chmod(state, 0o555) == 0)
        }
        defer { if asRoot { try? Self.chattr("-i", state) } }
        #expect(access(state, W_OK) != 0, "the folder must really be unwritable for this test")
        let error = #expect(throws: DaemonError.self) { try JobStore(directory: state) }
        #expect(error?.code == .stateUnusable)
        #expect(error?.message.contains("the state folder \(state) is not writable") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: (state as NSString).appendingPathComponent("segd.sqlite")))
    }

    static func chattr(_ flag: String, _ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        p.arguments = [flag, path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw DaemonError(.startup, "chattr \(flag) \(path) failed with status \(p.terminationStatus)")
        }
    }

    /// Holds SQLite's exclusive lock on `path` from a second connection until `release()`.
    final class Locker: @unchecked Sendable {
        let queue: DatabaseQueue
        init(_ path: String) throws {
            var config = Configuration()
            config.allowsUnsafeTransactions = true  // the transaction stays open between two accesses
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        }
        func release() throws { try queue.inDatabase { try $0.execute(sql: "COMMIT") } }
    }

    @Test func aWriteFailsWithStoreFailedAfterTheBusyTimeoutWhileAnotherConnectionHoldsTheLock() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path, busyTimeout: 0.5)
        try store.insert(JobStoreTests.job("j-a"), detail: "")
        let locker = try Locker(store.path)
        let started = Date()
        let error = #expect(throws: DaemonError.self) {
            try store.update("j-a", now: Date(), detail: "quiet") { $0.state = .queued }
        }
        let waited = Date().timeIntervalSince(started)
        #expect(error?.code == .storeFailed)
        #expect(error?.message.contains(store.path) == true && error?.message.contains("locks it") == true,
                "\(String(describing: error))")
        // It waited for the lock (busy timeout) rather than failing at once. A lower bound only.
        #expect(waited >= 0.4, "failed after \(waited) s")
        // WAL: readers are not blocked by a writer's lock.
        #expect(try store.job("j-a")?.state == .waitingQuiet)
        #expect(try store.transitions("j-a").count == 1, "the failed write left nothing behind")
        try locker.release()
        try store.update("j-a", now: Date(), detail: "quiet") { $0.state = .queued }
        #expect(try store.job("j-a")?.state == .queued)
    }

    @Test func aWriteWaitsForALockReleasedWithinTheBusyTimeout() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let store = try JobStore(directory: tmp.path, busyTimeout: 30)
        try store.insert(JobStoreTests.job("j-a"), detail: "")
        let locker = try Locker(store.path)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            try? locker.release()
            released.signal()
        }
        try store.update("j-a", now: Date(), detail: "quiet") { $0.state = .queued }
        released.wait()
        #expect(try store.job("j-a")?.state == .queued)
        #expect(try store.transitions("j-a").map(\.to) == [.waitingQuiet, .queued])
    }

    @Test func openingAStoreLockedByAnotherConnection() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path: String
        do { path = try JobStore(directory: tmp.path).path }
        let locker = try Locker(path)
        defer { try? locker.release() }
        // Measured: the schema is already there, so opening only reads (WAL readers are not blocked); the first
        // write then fails after the busy timeout.
        let store = try JobStore(directory: tmp.path, busyTimeout: 0.3)
        #expect(try store.jobs(JobFilter()).isEmpty)
        let error = #expect(throws: DaemonError.self) { try store.insert(JobStoreTests.job("j-a"), detail: "") }
        #expect(error?.code == .storeFailed)
    }
}
