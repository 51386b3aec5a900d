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
            let object: [String: Any] = [
                "plugins": registry.plugins.map {
                    ["name": $0.name, "version": $0.version, "path": $0.path, "classes": $0.classes] as [String: Any]
                },
                "failures": registry.failures.map { ["path": $0.path, "reason": $0.reason] },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
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
