import ArgumentParser
import Foundation
import SegModelKit

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the model plugins segd finds, their network classes, and any that failed to load.")

    @OptionGroup var plugins: PluginOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let registry = plugins.registry()
        if json {
            struct Plugin: Encodable { var name, version, path: String; var classes: [String] }
            struct Failure: Encodable { var path, reason: String }
            struct Report: Encodable { var plugins: [Plugin]; var failures: [Failure] }
            let report = Report(
                plugins: registry.plugins.map { Plugin(name: $0.name, version: $0.version, path: $0.path, classes: $0.classes) },
                failures: registry.failures.map { Failure(path: $0.path, reason: $0.reason) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        if registry.plugins.isEmpty { print("no plugins found") }
        for p in registry.plugins {
            print("\(p.name) \(p.version)  \(p.path)")
            for c in p.classes { print("    \(c)") }
        }
        for f in registry.failures { print("failed: \(f.path): \(f.reason)") }
    }
}
