import ArgumentParser
import Foundation
import SegControl

/// `--socket` and `--json`, on every command.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The control socket (default: $SEGD_SOCKET, else /run/segd/control.sock).",
                               valueName: "path"))
    var socket: String?

    @Flag(help: "Print the protocol's JSON instead of text.")
    var json = false

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment[ControlProtocol.socketEnvironmentVariable]
            ?? ControlProtocol.defaultSocketPath
    }

    var client: ControlClient { ControlClient(socketPath: socketPath) }

    /// Runs a command body; a `ControlError` becomes one line on stderr (and, with --json, its body on stdout)
    /// and the documented exit status.
    func run(_ body: () throws(ControlError) -> Void) throws {
        do {
            try body()
        } catch {
            if json, let data = try? ControlJSON.encode(error.body, pretty: true) {
                print(String(decoding: data, as: UTF8.self))
            }
            Terminal.printError("segctl: \(error.message)")
            throw ExitCode(Self.exitStatus(error.code))
        }
    }

    /// The exit status of an error (documented in `segctl --help` and docs/control-protocol.md).
    static func exitStatus(_ code: ControlError.Code) -> Int32 {
        switch code {
        case .socketNotFound, .daemonNotRunning, .timeout, .io: 3
        case .permissionDenied, .forbidden: 4
        case .versionMismatch, .protocolError: 5
        default: 2
        }
    }

    /// Prints a value as pretty, key-sorted JSON.
    func printJSON<T: Encodable>(_ value: T) throws(ControlError) {
        do {
            print(String(decoding: try ControlJSON.encode(value, pretty: true), as: UTF8.self))
        } catch {
            throw ControlError(.internal, "could not encode the answer as JSON")
        }
    }
}
