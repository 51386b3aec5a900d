import Foundation
import SegControl
import Testing

/// Runs the built `segctl` against a daemon started by `DaemonHarness`, with stdout and stderr apart.
struct SegctlRunner {
    static let binary = DaemonHarness.buildFolder.appendingPathComponent("segctl").path

    let socket: String

    struct Result: CustomStringConvertible {
        var args: [String]
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "segctl \(args.joined(separator: " ")) → \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// Runs `segctl ARGS --socket S` (plus `--json` when asked) and waits for it.
    func callAsFunction(_ args: [String], json: Bool = false) throws -> Result {
        let p = try start(args, json: json)
        return p.finish()
    }

    /// Starts segctl without waiting (for `submit --wait` while the test acts on the job).
    func start(_ args: [String], json: Bool = false) throws -> Running {
        let all = args + ["--socket", socket] + (json ? ["--json"] : [])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = all
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SEGD_SOCKET")
        env["NO_COLOR"] = "1"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return Running(args: all, process: p, out: out, err: err)
    }

    struct Running {
        var args: [String]
        var process: Process
        var out: Pipe
        var err: Pipe

        func finish() -> Result {
            // Read both pipes concurrently so a full stderr pipe never blocks segctl.
            let errData = LockedData()
            let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
            reader.start()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            while !errData.isSet { Thread.sleep(forTimeInterval: 0.01) }
            return Result(args: args, status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                          stderr: String(decoding: errData.value, as: UTF8.self))
        }
    }

    /// Decodes the stdout of a `--json` run as the protocol type `T` (the documented shape).
    static func decode<T: Decodable>(_ type: T.Type, _ r: Result) throws -> T {
        do {
            return try ControlJSON.decoder().decode(type, from: Data(r.stdout.utf8))
        } catch {
            Issue.record("\(r.args) did not print a \(T.self): \(error)\n\(r)")
            throw error
        }
    }

    /// The top-level keys of a `--json` answer.
    static func keys(_ r: Result) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return Set((object as? [String: Any])?.keys.map { $0 } ?? [])
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.withLock { data = d } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
