import ArgumentParser
import Foundation
import SegControl

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the daemon's model bundles, valid or why not.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let models = try options.client.models()
            if options.json { return try options.printJSON(ModelList(models: models)) }
            print(models.isEmpty ? "no model bundles" : Self.table(models))
        }
    }

    static func table(_ models: [ModelInfo]) -> String {
        let rows = models.map { m in
            [m.valid ? "valid" : "invalid", m.id ?? "-", m.version ?? "-", m.networkClass ?? "-", m.plugin ?? "-",
             m.valid ? m.directory : "\(m.directory): \(m.problem ?? "unknown problem")"]
        }
        return Terminal.table(["STATUS", "ID", "VERSION", "NETWORK", "PLUGIN", "FOLDER"], rows) { r, c in
            c == 0 ? (models[r].valid ? .green : .red) : nil
        }
    }
}

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the daemon's model plugins, their network classes, load failures.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let plugins = try options.client.plugins()
            if options.json { return try options.printJSON(PluginList(plugins: plugins)) }
            print(plugins.isEmpty ? "no plugins" : Self.table(plugins))
        }
    }

    static func table(_ plugins: [PluginInfo]) -> String {
        let rows = plugins.map { p in
            [p.loaded ? "loaded" : "failed", p.name ?? "-", p.version ?? "-",
             p.classes.isEmpty ? "-" : p.classes.joined(separator: ", "),
             p.loaded ? p.path : "\(p.path): \(p.problem ?? "unknown problem")"]
        }
        return Terminal.table(["STATUS", "NAME", "VERSION", "CLASSES", "PATH"], rows) { r, c in
            c == 0 ? (plugins[r].loaded ? .green : .red) : nil
        }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Work with the routing rules.", subcommands: [RulesTestCommand.self])
}

struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry run: which rule matches each series in a folder, and why (admin; nothing is queued).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The folder (relative paths are made absolute).") var path: String

    func run() throws {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
        try options.run { () throws(ControlError) in
            let report = try options.client.rulesTest(path: absolute)
            if options.json { return try options.printJSON(report) }
            print(Self.render(report))
        }
    }

    static func render(_ r: RulesTestReport) -> String {
        var lines: [String] = []
        if r.series.isEmpty { lines.append("no series under \(r.path)") }
        for s in r.series {
            let header = [s.seriesHash, s.modality, s.description.map { "\"\($0)\"" }, "\(s.slices) slices"]
                .compactMap { $0 }.joined(separator: "  ")
            lines.append(header)
            let verdict = s.models.isEmpty ? Terminal.paint("unrouted: no rule matches", .yellow)
                : Terminal.paint("→ \(s.models.joined(separator: ", "))", .green) + (s.rule.map { " (rule \($0))" } ?? "")
            lines.append("  " + verdict)
            lines.append(contentsOf: s.decision.map { "    " + $0 })
        }
        if !r.skipped.isEmpty {
            lines.append("skipped:")
            lines.append(contentsOf: r.skipped.map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Print the daemon's metrics (Prometheus text format).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.run { () throws(ControlError) in
            let text = try options.client.metrics()
            if options.json {
                struct Metrics: Encodable { var metrics: String }
                return try options.printJSON(Metrics(metrics: text))
            }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print segctl's and the running segd's version and protocol.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let mine = VersionReport()
        try options.run { () throws(ControlError) in
            let daemon: VersionReport
            do throws(ControlError) {
                daemon = try options.client.version()
            } catch {
                if !options.json { print("segctl \(mine.version) (protocol \(mine.protocolVersion))") }
                throw error
            }
            if options.json {
                struct Versions: Encodable { var segctl: VersionReport; var segd: VersionReport }
                return try options.printJSON(Versions(segctl: mine, segd: daemon))
            }
            print("segctl \(mine.version) (protocol \(mine.protocolVersion))")
            print("segd   \(daemon.version) (protocol \(daemon.protocolVersion))")
        }
    }
}
