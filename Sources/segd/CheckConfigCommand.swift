import ArgumentParser
import Foundation
import SegDaemon

/// `segd check-config [--config PATH]`: validates the configuration and lists every error.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration file; print every error as PATH:LINE: key: message.",
        discussion: "Exits 0 and prints a short summary when the file is valid, 1 when it has errors or cannot be read.")

    @Option(help: "The configuration file.") var config: String = SegdConfiguration.defaultPath

    func run() throws {
        do {
            let c = try SegdConfiguration.load(path: config)
            print("\(config): OK")
            for line in c.summary { print("  \(line)") }
        } catch {
            if error.diagnostics.isEmpty {
                printError("segd: \(error.message)")
            } else {
                for d in error.diagnostics { printError(d.formatted(path: config)) }
                printError("segd: \(error.message)")
            }
            throw ExitCode(1)
        }
    }
}

private func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
