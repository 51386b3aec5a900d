import ArgumentParser
import Foundation
import SegControl

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List jobs, newest first.",
        discussion: "States: \(JobStateName.all.joined(separator: ", ")).")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Only jobs in this state.") var state: String?
    @Option(help: "Only jobs routed to this model.") var model: String?
    @Option(help: ArgumentHelp("Only jobs created since then: ISO 8601 (2026-11-20T10:00:00Z, 2026-11-20) or an age (30m, 2h, 1d, 1w).",
                               valueName: "time"))
    var since: String?
    @Option(help: "At most this many jobs (default 50).") var limit: Int?

    func validate() throws {
        if let state, !JobStateName.all.contains(state) {
            throw ValidationError("unknown state \"\(state)\"; use one of \(JobStateName.all.joined(separator: ", "))")
        }
        if let since, HumanFormat.parseSince(since) == nil {
            throw ValidationError("--since takes an ISO 8601 time or an age like 30m, 2h, 1d, not \"\(since)\"")
        }
        if let limit, !(1...JobQuery.maxLimit).contains(limit) {
            throw ValidationError("--limit must be from 1 to \(JobQuery.maxLimit)")
        }
    }

    func run() throws {
        let query = JobQuery(state: state, model: model, since: since.flatMap { HumanFormat.parseSince($0) },
                             limit: limit)
        try options.run { () throws(ControlError) in
            let jobs = try options.client.jobs(query)
            if options.json { return try options.printJSON(JobList(jobs: jobs)) }
            print(jobs.isEmpty ? "no jobs" : Self.table(jobs))
        }
    }

    static func table(_ jobs: [JobInfo], now: Date = Date()) -> String {
        let rows = jobs.map { j -> [String] in
            let stage = j.state == JobStateName.running
                ? [j.stage, j.progress.map(percent)].compactMap { $0 }.joined(separator: " ") : ""
            return [j.id, j.state, j.models.isEmpty ? "-" : j.models.joined(separator: ","), stage.isEmpty ? "-" : stage,
                    j.modality ?? "-", String(j.files), String(j.attempts), HumanFormat.age(of: j.createdAt, now: now),
                    j.error.map { "\($0.code): \($0.message)" } ?? ""]
        }
        return Terminal.table(["ID", "STATE", "MODELS", "STAGE", "MOD", "FILES", "TRIES", "CREATED", "ERROR"], rows) {
            r, c in c == 1 ? Terminal.stateColor(jobs[r].state) : nil
        }
    }
}
