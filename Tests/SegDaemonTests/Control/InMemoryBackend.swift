import Foundation
import SegControl
import SegDaemon
import Synchronization

/// A small in-memory `ControlBackend` for the control server tests (tests only: the daemon's real backend sits
/// on its job store). Jobs move through states when commanded; a submitted job finishes after two polls.
final class InMemoryBackend: ControlBackend {
    struct State {
        var jobs: [String: JobDetail] = [:]
        var paused = false
        var reloads = 0
        var submitted = 0
        var polls: [String: Int] = [:]
    }

    let state = Mutex(State())
    let root: String
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    /// `root` is the only folder submit and rules test accept.
    init(root: String = "/srv/dicom") {
        self.root = root
        state.withLock { s in
            for (i, st) in ["done", "failed", "running", "queued"].enumerated() {
                let id = "j-20261120-10000\(i)-abc00\(i)"
                var job = JobInfo(id: id, state: st, watch: "/srv/dicom/in", seriesHash: "0123456789a\(i)",
                                  modality: "CT", models: ["liver"], rule: "ct-liver", files: 28, attempts: 1,
                                  createdAt: Self.t0.addingTimeInterval(Double(i) * 60),
                                  updatedAt: Self.t0.addingTimeInterval(Double(i) * 60 + 30))
                if st == "running" { job.stage = "inference"; job.progress = 0.42 }
                if st == "failed" { job.error = ControlErrorBody(code: "model-failed", message: "the plugin crashed") }
                if st == "done" { job.outputs = ["seg": "/srv/out/liver-0123-\(id).seg.dcm"] }
                s.jobs[id] = JobDetail(job: job, transitions: [.init(at: Self.t0, from: nil, to: "queued")],
                                       stages: [.init(stage: "decode", seconds: 1.5, attempt: 1)],
                                       routing: ["rule ct-liver: Modality = CT: yes"], inputDir: "/var/lib/segd/spool/\(id)",
                                       estimatedPeakBytes: 1 << 30)
            }
        }
    }

    func job(_ id: String) throws -> JobInfo {
        guard let j = state.withLock({ $0.jobs[id]?.job }) else { throw ControlError(.notFound, "no job \(id)") }
        return j
    }

    func status() async throws -> StatusReport {
        state.withLock { s in
            var queue: [String: Int] = [:]
            for j in s.jobs.values { queue[j.job.state, default: 0] += 1 }
            return StatusReport(version: SegdVersion.string, pid: getpid(), startedAt: Self.t0, uptimeSeconds: 3725,
                                plugins: ["UNet"], models: ["liver"], queue: queue,
                                running: s.jobs.values.map(\.job).filter { $0.state == "running" },
                                memoryBudgetBytes: 8 << 30, memoryInUseBytes: 1 << 30, ingestPaused: s.paused)
        }
    }

    func jobs(_ query: JobQuery) async throws -> [JobInfo] {
        let all = state.withLock { $0.jobs.values.map(\.job) }
        return Array(all.filter { j in
            (query.state.map { j.state == $0 } ?? true) && (query.model.map { j.models.contains($0) } ?? true)
                && (query.since.map { j.createdAt >= $0 } ?? true)
        }.sorted { $0.createdAt > $1.createdAt }.prefix(query.limit ?? JobQuery.defaultLimit))
    }

    func job(id: String) async throws -> JobDetail {
        try state.withLock { s in
            guard var d = s.jobs[id] else { throw ControlError(.notFound, "no job \(id)") }
            // A submitted job runs on the first poll and is done on the second.
            if let n = s.polls[id] {
                s.polls[id] = n + 1
                d.job.state = n == 0 ? "running" : "done"
                d.job.stage = n == 0 ? "inference" : nil
                d.job.progress = n == 0 ? 0.5 : nil
                s.jobs[id] = d
            }
            return d
        }
    }

    func preview(id: String) async throws -> Data {
        let j = try job(id)
        guard j.state == "done" else { throw ControlError(.notFound, "job \(id) has no preview yet") }
        return Self.png
    }

    func submit(_ request: SubmitRequest) async throws -> SubmitResult {
        guard request.path.hasPrefix(root + "/") || request.path == root else {
            throw ControlError(.refused, "\(request.path) is outside the configured roots (\(root))")
        }
        return state.withLock { s in
            s.submitted += 1
            let id = "j-20261120-120000-sub00\(s.submitted)"
            let job = JobInfo(id: id, state: "queued", watch: request.path, seriesHash: "feedfacecafe",
                              models: request.model.map { [$0] } ?? ["liver"], files: 3, createdAt: Self.t0,
                              updatedAt: Self.t0)
            s.jobs[id] = JobDetail(job: job)
            s.polls[id] = 0
            return SubmitResult(jobs: [job], files: 3)
        }
    }

    func cancel(id: String) async throws -> JobInfo {
        try state.withLock { s in
            guard var d = s.jobs[id] else { throw ControlError(.notFound, "no job \(id)") }
            guard !d.job.isTerminal else { throw ControlError(.refused, "job \(id) is already \(d.job.state)") }
            d.job.state = "cancelled"
            s.jobs[id] = d
            return d.job
        }
    }

    func retry(id: String) async throws -> JobInfo {
        try state.withLock { s in
            guard var d = s.jobs[id] else { throw ControlError(.notFound, "no job \(id)") }
            guard d.job.state == "failed" else { throw ControlError(.refused, "only failed jobs are retried here") }
            d.job.state = "queued"
            d.job.error = nil
            s.jobs[id] = d
            return d.job
        }
    }

    func pause() async throws -> ActionResult {
        state.withLock { $0.paused = true }
        return ActionResult(message: "ingest paused")
    }

    func resume() async throws -> ActionResult {
        state.withLock { $0.paused = false }
        return ActionResult(message: "ingest resumed")
    }

    func models() async throws -> [ModelInfo] {
        [ModelInfo(directory: "/usr/share/segd/models/liver", valid: true, id: "liver", version: "1.0",
                   networkClass: "monai.networks.nets.UNet", plugin: "UNet", labels: ["liver"]),
         ModelInfo(directory: "/usr/share/segd/models/broken", valid: false, problem: "model.json is missing")]
    }

    func plugins() async throws -> [PluginInfo] {
        [PluginInfo(path: "/usr/lib/segd/plugins/libSegdPluginUNet.so", loaded: true, name: "UNet", version: "1",
                    classes: ["monai.networks.nets.UNet"]),
         PluginInfo(path: "/usr/lib/segd/plugins/libOld.so", loaded: false, problem: "ABI version 0, expected 1")]
    }

    func reload() async throws -> ActionResult {
        let n = state.withLock { s in
            s.reloads += 1
            return s.reloads
        }
        return ActionResult(message: "configuration reloaded (\(n))")
    }

    func rulesTest(path: String) async throws -> RulesTestReport {
        guard path.hasPrefix(root) else { throw ControlError(.refused, "\(path) is outside the configured roots") }
        return RulesTestReport(path: path, series: [
            .init(seriesHash: "0123456789ab", description: "CT ABDOMEN", modality: "CT", slices: 28, rule: "ct-liver",
                  decision: ["rule ct-liver: Modality = CT: yes"], models: ["liver"]),
            .init(seriesHash: "ba9876543210", description: nil, modality: "MR", slices: 12, rule: nil,
                  decision: ["rule ct-liver: Modality = CT: no (MR)"], models: []),
        ])
    }

    func metrics() async throws -> String {
        "# HELP segd_jobs Jobs by state.\n# TYPE segd_jobs gauge\nsegd_jobs{state=\"done\"} 1\n"
    }

    /// A backend call that throws a non-ControlError (answered as `internal`).
    struct Boom: Error {}
}
