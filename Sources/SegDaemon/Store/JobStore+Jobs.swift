import Foundation
import GRDB

extension JobStore {
    /// Adds a new job (its first transition says why it exists).
    public func insert(_ job: JobRecord, detail: String) throws(DaemonError) {
        try run { db in
            try Self.upsert(job, db, insert: true)
            try Self.addTransition(db, job.id, from: nil, to: job.state, at: job.createdAt, detail: detail)
        }
    }

    /// Changes a job in one transaction. When the state changes, a transition with `detail` is recorded.
    /// Returns the job as written; throws `.jobNotFound` for an unknown id.
    @discardableResult
    public func update(_ id: String, now: Date, detail: String = "",
                       _ change: (inout JobRecord) throws -> Void) throws(DaemonError) -> JobRecord {
        try run { db in
            guard var job = try Self.fetch(db, id) else {
                throw DaemonError(.jobNotFound, "no job \(id); list jobs with segctl jobs")
            }
            let before = job.state
            try change(&job)
            job.updatedAt = now
            if job.state.isFinal && !before.isFinal { job.finishedAt = now }
            if !job.state.isFinal { job.finishedAt = nil }
            try Self.upsert(job, db, insert: false)
            if job.state != before {
                try Self.addTransition(db, id, from: before, to: job.state, at: now, detail: detail)
            }
            return job
        }
    }

    public func job(_ id: String) throws(DaemonError) -> JobRecord? {
        try read { db in try Self.fetch(db, id) }
    }

    /// Jobs matching `filter`, newest first.
    public func jobs(_ filter: JobFilter) throws(DaemonError) -> [JobRecord] {
        try read { db in
            var sql = "SELECT record FROM jobs"
            var clauses: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if !filter.states.isEmpty {
                clauses.append("state IN (\(filter.states.map { _ in "?" }.joined(separator: ",")))")
                args += filter.states.map(\.rawValue)
            }
            if let since = filter.since {
                clauses.append("created_at >= ?")
                args.append(since.timeIntervalSince1970)
            }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY created_at DESC, id DESC"
            // The model lives in the JSON record: filter after decoding, then apply the limit.
            let rows = try String.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            var out: [JobRecord] = []
            guard filter.limit > 0 else { return out }
            for text in rows {
                let job = try Self.decoder.decode(JobRecord.self, from: Data(text.utf8))
                if let m = filter.model, !job.models.contains(m) && job.submittedModel != m { continue }
                out.append(job)
                if out.count >= filter.limit { break }
            }
            return out
        }
    }

    /// Jobs not yet final, oldest first (start-up recovery and the scheduler's queue).
    public func unfinished() throws(DaemonError) -> [JobRecord] {
        try records(where: "state IN ('waiting-quiet','queued','running')", order: "created_at ASC, id ASC")
    }

    /// Up to `limit` queued jobs that may start at `now` (never tried, or their retry is due), oldest first.
    /// Reads the `jobs_state` index with a cursor and decodes only until `limit` are found, so a long queue
    /// costs the scheduler's tick no more than the free worker slots it can fill.
    public func startable(now: Date, limit: Int) throws(DaemonError) -> [JobRecord] {
        guard limit > 0 else { return [] }
        return try read { db in
            var out: [JobRecord] = []
            let rows = try String.fetchCursor(db, sql: "SELECT record FROM jobs WHERE state = 'queued' ORDER BY created_at ASC, id ASC")
            while out.count < limit, let text = try rows.next() {
                let job = try Self.decoder.decode(JobRecord.self, from: Data(text.utf8))
                if let due = job.nextAttemptAt, due > now { continue }
                out.append(job)
            }
            return out
        }
    }

    /// The newest job of a series in a watch folder, any state.
    public func latest(watch: String, seriesUID: String) throws(DaemonError) -> JobRecord? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT record FROM jobs WHERE watch = ? AND series_uid = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                                arguments: [watch, seriesUID])
                .map { try Self.decoder.decode(JobRecord.self, from: Data($0.utf8)) }
        }
    }

    /// Every job of a series in a watch folder, oldest first (uses the `jobs_series` index).
    public func series(watch: String, seriesUID: String) throws(DaemonError) -> [JobRecord] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT record FROM jobs WHERE watch = ? AND series_uid = ? ORDER BY created_at ASC, id ASC",
                                arguments: [watch, seriesUID])
                .map { try Self.decoder.decode(JobRecord.self, from: Data($0.utf8)) }
        }
    }

    /// Done jobs whose input may still need the retention policy applied (start-up repair).
    public func finished(states: [JobState], since: Date) throws(DaemonError) -> [JobRecord] {
        try jobs(JobFilter(states: states, since: since, limit: Int.max))
    }

    /// Job counts by state (every state present, zeros included).
    public func countsByState() throws(DaemonError) -> [JobState: Int] {
        try read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let s = JobState(rawValue: row["state"]) { counts[s] = row["n"] }
            }
            return counts
        }
    }

    public func transitions(_ id: String) throws(DaemonError) -> [JobTransition] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT at, from_state, to_state, detail FROM transitions WHERE job_id = ? ORDER BY rowid",
                             arguments: [id]).map { row in
                JobTransition(at: Date(timeIntervalSince1970: row["at"]),
                              from: (row["from_state"] as String?).flatMap(JobState.init(rawValue:)),
                              to: JobState(rawValue: row["to_state"]) ?? .failed, detail: row["detail"])
            }
        }
    }

    public func recordStage(_ id: String, attempt: Int, stage: String, seconds: Double) throws(DaemonError) {
        try run { db in
            try db.execute(sql: "INSERT INTO stages (job_id, attempt, stage, seconds) VALUES (?, ?, ?, ?)",
                           arguments: [id, attempt, stage, seconds])
        }
    }

    public func stages(_ id: String) throws(DaemonError) -> [StageTiming] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT attempt, stage, seconds FROM stages WHERE job_id = ? ORDER BY rowid",
                             arguments: [id]).map { StageTiming(attempt: $0["attempt"], stage: $0["stage"], seconds: $0["seconds"]) }
        }
    }

    // MARK: rows

    func records(where clause: String, order: String) throws(DaemonError) -> [JobRecord] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT record FROM jobs WHERE \(clause) ORDER BY \(order)")
                .map { try Self.decoder.decode(JobRecord.self, from: Data($0.utf8)) }
        }
    }

    static func fetch(_ db: Database, _ id: String) throws -> JobRecord? {
        try String.fetchOne(db, sql: "SELECT record FROM jobs WHERE id = ?", arguments: [id])
            .map { try decoder.decode(JobRecord.self, from: Data($0.utf8)) }
    }

    static func upsert(_ job: JobRecord, _ db: Database, insert: Bool) throws {
        let text = String(decoding: try encoder.encode(job), as: UTF8.self)
        let args: StatementArguments = [job.id, job.state.rawValue, job.seriesUID, job.watch,
                                        job.createdAt.timeIntervalSince1970, job.updatedAt.timeIntervalSince1970, text]
        if insert {
            try db.execute(sql: "INSERT INTO jobs (id, state, series_uid, watch, created_at, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: args)
        } else {
            try db.execute(sql: "UPDATE jobs SET state = ?2, series_uid = ?3, watch = ?4, created_at = ?5, updated_at = ?6, record = ?7 WHERE id = ?1",
                           arguments: args)
        }
    }

    static func addTransition(_ db: Database, _ id: String, from: JobState?, to: JobState, at: Date, detail: String) throws {
        try db.execute(sql: "INSERT INTO transitions (job_id, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, at.timeIntervalSince1970, from?.rawValue, to.rawValue, detail])
    }
}
