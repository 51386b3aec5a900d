import Foundation
import GRDB

/// The durable record of every job: SQLite (WAL) through GRDB, at `<state>/segd.sqlite`.
///
/// The store is the only source of truth about jobs; the scheduler's memory is rebuilt from it at start
/// (`unfinished()`). Every write is one transaction; every state change also appends a `transitions` row.
public final class JobStore: Sendable {
    let db: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the store in `directory`. A folder that cannot be written is a clear refusal.
    /// `busyTimeout`: how long a write waits for a lock held by another connection before it fails with
    /// `.storeFailed` (tests shorten it).
    public init(directory: String, busyTimeout: TimeInterval = 10) throws(DaemonError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DaemonError(.stateUnusable, "cannot create the state folder \(directory): \(error.localizedDescription); create it and give segd's user write access")
        }
        guard fm.isWritableFile(atPath: directory) else {
            throw DaemonError(.stateUnusable, "the state folder \(directory) is not writable; give segd's user write access (or fix paths.state)")
        }
        path = (directory as NSString).appendingPathComponent("segd.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "segd.jobs"
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Self.migrator.migrate(db)
        } catch {
            throw DaemonError(.stateUnusable, "cannot open the job store \(path): \(error); check the folder's permissions and free space, and that no other segd uses it")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    state TEXT NOT NULL,
                    series_uid TEXT NOT NULL,
                    watch TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    record TEXT NOT NULL
                );
                CREATE INDEX jobs_state ON jobs(state);
                CREATE INDEX jobs_series ON jobs(watch, series_uid);
                CREATE INDEX jobs_created ON jobs(created_at);
                CREATE TABLE transitions (
                    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                    at REAL NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX transitions_job ON transitions(job_id);
                CREATE TABLE stages (
                    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL,
                    stage TEXT NOT NULL,
                    seconds REAL NOT NULL
                );
                CREATE INDEX stages_job ON stages(job_id);
                """)
        }
        return m
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = .sortedKeys
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()

    func run<T>(_ body: (Database) throws -> T) throws(DaemonError) -> T {
        do {
            return try db.write(body)
        } catch let error as DaemonError {
            throw error
        } catch {
            throw DaemonError(.storeFailed, "the job store \(path) failed: \(error); check free space and that no other process locks it")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(DaemonError) -> T {
        do {
            return try db.read(body)
        } catch {
            throw DaemonError(.storeFailed, "the job store \(path) failed: \(error); check that no other process locks it")
        }
    }
}
