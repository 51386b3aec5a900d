import ArgumentParser
import Foundation
import SegModelKit

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the model bundles in the model folders, with their validity and the reasons when invalid.",
        discussion: "A bundle is a folder with model.json and the weights file it names; it is valid when the manifest validates and the weights match their sha256.")

    @Argument(help: "Model folders to list (default: /usr/share/segd/models /var/lib/segd/models).")
    var directories: [String] = []
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let catalog = ModelCatalog(directories: directories.isEmpty ? ModelCatalog.defaultDirectories : directories)
        if json {
            struct Item: Encodable {
                var directory: String, valid: Bool
                var id: String?, version: String?, networkClass: String?, labels: [String]?, problem: String?
            }
            let items = catalog.entries.map { e in
                Item(directory: e.directory, valid: e.isValid, id: e.bundle?.manifest.id,
                     version: e.bundle?.manifest.version, networkClass: e.bundle?.manifest.network.className,
                     labels: e.bundle?.manifest.labels.map(\.name), problem: e.problem)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(["models": items]), as: UTF8.self))
            return
        }
        if catalog.entries.isEmpty { print("no model bundles found") }
        for e in catalog.entries {
            if let m = e.bundle?.manifest {
                print("valid    \(m.id) \(m.version)  \(m.network.className)  \(m.labels.map(\.name).joined(separator: ", "))")
                print("         \(e.directory)")
            } else {
                print("invalid  \(e.directory)")
                print("         \(e.problem ?? "unknown problem")")
            }
        }
    }
}
