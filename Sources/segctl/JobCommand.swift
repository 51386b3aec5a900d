import ArgumentParser
import Foundation
import SegControl

struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Look at one job.",
        subcommands: [JobShowCommand.self, JobPreviewCommand.self])
}

struct JobShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a job: state, error and reason, stages with timings, input and outputs, routing decision.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The job id (from segctl jobs).") var id: String

    func run() throws {
        try options.run { () throws(ControlError) in
            let d = try options.client.job(id)
            if options.json { return try options.printJSON(d) }
            print(Self.render(d))
        }
    }

    static func render(_ d: JobDetail, now: Date = Date()) -> String {
        let j = d.job
        var fields: [(String, String)] = [
            ("job", j.id),
            ("state", Terminal.paint(j.state, Terminal.stateColor(j.state))
                + (j.stage.map { " (\($0)\(j.progress.map { " " + percent($0) } ?? ""))" } ?? "")),
            ("series", j.seriesHash + (j.modality.map { " \($0)" } ?? "")),
            ("watch", j.watch),
            ("files", String(j.files)),
            ("attempts", String(j.attempts)),
            ("models", j.models.isEmpty ? "-" : j.models.joined(separator: ", ")),
            ("rule", j.rule ?? "-"),
            ("created", "\(ISO8601.format(j.createdAt)) (\(HumanFormat.age(of: j.createdAt, now: now)))"),
            ("updated", "\(ISO8601.format(j.updatedAt)) (\(HumanFormat.age(of: j.updatedAt, now: now)))"),
        ]
        if let f = j.finishedAt { fields.append(("finished", "\(ISO8601.format(f)) (\(HumanFormat.age(of: f, now: now)))")) }
        if let n = j.nextAttemptAt { fields.append(("next try", "\(ISO8601.format(n)) (\(HumanFormat.age(of: n, now: now)))")) }
        if let r = j.rerunOf { fields.append(("re-run of", r)) }
        if let e = j.error { fields.append(("error", Terminal.paint("\(e.code): \(e.message)", .red))) }
        if let input = d.inputDir { fields.append(("input", input)) }
        if let peak = d.estimatedPeakBytes { fields.append(("peak mem", HumanFormat.bytes(peak))) }
        for key in j.outputs.keys.sorted() { fields.append(("output", "\(key): \(j.outputs[key] ?? "")")) }
        let width = fields.map(\.0.count).max() ?? 0
        var lines = fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        if !d.stages.isEmpty {
            lines.append("")
            lines.append(Terminal.table(["ATTEMPT", "STAGE", "TIME"], d.stages.map {
                [String($0.attempt), $0.stage, HumanFormat.duration($0.seconds)]
            }))
        }
        if !d.transitions.isEmpty {
            lines.append("")
            lines.append(Terminal.table(["AT", "FROM", "TO", "DETAIL"], d.transitions.map {
                [ISO8601.format($0.at), $0.from ?? "-", $0.to, $0.detail ?? ""]
            }))
        }
        if !d.routing.isEmpty {
            lines.append("")
            lines.append("routing:")
            lines.append(contentsOf: d.routing.map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}

struct JobPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Save a finished job's preview image (PNG: the segmentation over the middle slice).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The job id.") var id: String
    @Option(help: ArgumentHelp("Where to write the PNG.", valueName: "file.png")) var out: String

    func run() throws {
        try options.run { () throws(ControlError) in
            let png = try options.client.preview(id)
            do {
                try png.write(to: URL(fileURLWithPath: out))
            } catch {
                throw ControlError(.io, "cannot write \(out): \(error.localizedDescription)")
            }
            if options.json {
                struct Saved: Encodable { var path: String; var bytes: Int }
                return try options.printJSON(Saved(path: out, bytes: png.count))
            }
            print("wrote \(out) (\(HumanFormat.bytes(png.count)))")
        }
    }
}
