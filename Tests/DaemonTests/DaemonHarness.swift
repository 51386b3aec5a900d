import Foundation
import SegDaemon
import TestSupport
import Testing

/// A real `segd run` in a temporary folder: its own config, watch/output/state folders, models.
final class DaemonHarness: @unchecked Sendable {
    static let repoRoot = TestPaths.repoRoot
    static let shared = TestPaths.shared
    static let buildFolder = TestPaths.buildFolder

    let root: URL
    var process: Process?
    let log: URL
    var configText = ""

    var watch: URL { root.appendingPathComponent("in") }
    let outputOverride: URL?
    var output: URL { outputOverride ?? root.appendingPathComponent("out") }
    var state: URL { root.appendingPathComponent("state") }
    var spool: URL { root.appendingPathComponent("spool") }
    var quarantine: URL { root.appendingPathComponent("quarantine") }
    var configURL: URL { root.appendingPathComponent("segd.conf") }

    var socket: String { root.appendingPathComponent("control.sock").path }

    /// `processing`, `timeouts`, `retry` and `control` are lines put inside those TOML tables; `rules` is whole
    /// `[[rule]]` sections. `paths` adds keys to `[paths]` (e.g. `plugins`), `ingest` replaces the `[ingest]`
    /// keys, `output` replaces the output folder.
    init(processing: String = "", timeouts: String = "", retry: String = "maxAttempts = 1", control: String = "",
         rules: String = DaemonHarness.ctRule, paths: String = "", ingest: String = "rescanSeconds = 0",
         quietSeconds: Int = 2, output: URL? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("segd-daemon-\(UUID().uuidString.prefix(8))")
        log = root.appendingPathComponent("segd.log")
        outputOverride = output
        let models = root.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try TestBundle.make(in: models)
        try TestBundle.make(in: models, id: "utnet-slow", spacing: "[0.07, 0.07, 0]")
        configText = """
            [paths]
            state = "\(state.path)"
            spool = "\(spool.path)"
            quarantine = "\(quarantine.path)"
            archive = "\(root.appendingPathComponent("archive").path)"
            models = "\(models.path)"
            \(paths)
            [processing]
            \(processing)
            [timeouts]
            \(timeouts)
            [retry]
            \(retry)
            initialDelaySeconds = 1
            [ingest]
            \(ingest)
            [control]
            socket = "\(root.appendingPathComponent("control.sock").path)"
            \(control)
            [[watch]]
            path = "\(watch.path)"
            output = "\(self.output.path)"
            quietSeconds = \(quietSeconds)
            \(rules)
            """
        try Data(configText.utf8).write(to: configURL)
    }

    static let ctRule = """
        [[rule]]
        name = "ct"
        models = ["utnet-test"]
        when = [ { field = "Modality", equals = "CT" } ]
        """

    /// Extra environment for the daemon (e.g. NOTIFY_SOCKET for the systemd tests).
    var environment: [String: String] = [:]

    func start() throws {
        let p = Process()
        p.executableURL = Self.buildFolder.appendingPathComponent("segd")
        p.arguments = ["run", "--config", configURL.path, "--log-level", "debug"]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SEGD_PLUGIN_PATH")
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        p.standardOutput = handle
        p.standardError = handle
        let upMarker = "sl-service=IngestService"
        let upBefore = logText.components(separatedBy: upMarker).count
        try p.run()
        process = p
        // Up once the service group starts its last service (logged at debug level): it traps SIGTERM before it
        // starts any service, so a SIGTERM from here on is a graceful stop. (Before that, during start-up and
        // recovery, SIGTERM ends segd at once with status 0: `aSIGTERMDuringStartUpIsACleanExit`.)
        try waitUntil("the daemon starts", timeout: 60) {
            self.logText.components(separatedBy: upMarker).count > upBefore
                || !(self.process?.isRunning ?? false)
        }
        if !isRunning {
            Issue.record("segd exited during start-up (status \(p.terminationStatus)); daemon log:\n\(logText.suffix(4000))")
            throw HarnessError.exited(p.terminationStatus)
        }
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// Sends `signal` and waits for the exit; returns the exit status (or the signal number for a kill).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        guard let p = process else { return 0 }
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    var isRunning: Bool { process?.isRunning ?? false }

    func remove() {
        if isRunning { stop(SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func store() throws -> JobStore { try JobStore(directory: state.path) }

    func jobs() throws -> [JobRecord] { try store().jobs(JobFilter(limit: 1000)) }

    /// Copies the files of `source` into `watch/<subfolder>`, one by one, `pause` seconds apart.
    func drop(_ source: URL, as subfolder: String, pause: TimeInterval = 0.2, only: (String) -> Bool = { _ in true }) throws {
        let target = watch.appendingPathComponent(subfolder)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted().filter(only)
        for name in names {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
    }

    func files(in url: URL) -> [String] {
        (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String] ?? []).filter {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path, isDirectory: &isDir)
            return !isDir.boolValue
        }
    }

    func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("timed out after \(Int(timeout)) s waiting until \(what); daemon log:\n\(logText.suffix(4000))")
        throw HarnessError.timeout(what)
    }

    enum HarnessError: Error { case timeout(String), exited(Int32) }

    /// Runs a program and returns its status and standard output.
    static func run(_ program: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
