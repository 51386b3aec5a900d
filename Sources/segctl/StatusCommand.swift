import ArgumentParser
import Foundation
import SegControl

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show version, uptime, plugins and models, the queue by state, running jobs, memory and ingest.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let s = try options.client.status()
            if options.json { return try options.printJSON(s) }
            print(Self.render(s))
        }
    }

    static func render(_ s: StatusReport, now: Date = Date()) -> String {
        var lines = ["segd \(s.version) (protocol \(s.protocolVersion)), pid \(s.pid), up \(HumanFormat.duration(s.uptimeSeconds))"]
        let ingest = s.ingestPaused ? Terminal.paint("paused", .yellow) + " (segctl resume to take in new series)"
            : "running"
        lines.append("ingest   \(ingest)")
        lines.append("plugins  \(s.plugins.count) loaded" + (s.plugins.isEmpty ? "" : ": " + s.plugins.joined(separator: ", ")))
        lines.append("models   \(s.models.count) loaded" + (s.models.isEmpty ? "" : ": " + s.models.joined(separator: ", ")))
        lines.append("memory   \(HumanFormat.bytes(s.memoryInUseBytes)) planned of \(HumanFormat.bytes(s.memoryBudgetBytes)) budget")
        let known = JobStateName.all.filter { (s.queue[$0] ?? 0) > 0 }
        let other = s.queue.keys.filter { !JobStateName.all.contains($0) && (s.queue[$0] ?? 0) > 0 }.sorted()
        let queue = (known + other).map { "\(Terminal.paint($0, Terminal.stateColor($0))) \(s.queue[$0] ?? 0)" }
        lines.append("queue    " + (queue.isEmpty ? "empty" : queue.joined(separator: "  ")))
        if s.running.isEmpty {
            lines.append("running  none")
        } else {
            lines.append("running")
            let rows = s.running.map { j in
                [j.id, j.models.joined(separator: ","), j.stage ?? "-", j.progress.map(percent) ?? "-", j.seriesHash,
                 HumanFormat.age(of: j.updatedAt, now: now)]
            }
            let table = Terminal.table(["ID", "MODELS", "STAGE", "PROGRESS", "SERIES", "UPDATED"], rows)
            lines.append(contentsOf: table.split(separator: "\n").map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}

func percent(_ p: Double) -> String { "\(Int((p * 100).rounded()))%" }
