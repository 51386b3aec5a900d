import Foundation
import TestSupport

/// Runs the built `segd` binary, as a user would.
enum CLI {
    static let repoRoot = TestPaths.repoRoot
    /// The shared corpus, `<repo>/../shared` or `$SEGD_SHARED`.
    static let shared = TestPaths.shared
    /// The folder holding the built products (`segd`, the plugin libraries).
    static let buildFolder = TestPaths.buildFolder

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `segd ARGS` (plugins from the build folder; `SEGD_PLUGIN_PATH` is cleared).
    static func segd(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        try run(buildFolder.appendingPathComponent("segd").path, arguments, environment: extra)
    }

    /// Runs any program and collects its output.
    static func run(_ program: String, _ arguments: [String], environment extra: [String: String] = [:]) throws
        -> Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SEGD_PLUGIN_PATH")
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
