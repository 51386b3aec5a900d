import Foundation
import SegDaemon
import TestSupport
import Testing

/// Faults of the machine and of plugins, injected into a real `segd run`: each ends with the job retried or
/// failed with a clear reason, its input kept, and the daemon still up.
@Suite(.serialized) struct DaemonFaultTests {
    static let smallCT = DaemonTests.smallCT
    static let enhancedCT = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/lcenh_ct_23x38x3")
    static let isRoot = getuid() == 0

    /// Makes `folder` unwritable: `chattr +i` as root (root ignores modes), mode 0555 otherwise.
    static func setWritable(_ folder: URL, _ writable: Bool) throws {
        if isRoot {
            let (status, text) = try DaemonHarness.run("/usr/bin/chattr", [writable ? "-i" : "+i", folder.path])
            #expect(status == 0, "chattr: \(text)")
        } else {
            try FileManager.default.setAttributes([.posixPermissions: writable ? 0o755 : 0o555], ofItemAtPath: folder.path)
        }
    }

    static func inputFiles(_ d: DaemonHarness, _ job: JobRecord) -> [String] {
        d.files(in: d.spool.appendingPathComponent(job.id)).filter { !$0.hasPrefix(".") }
    }

    @Test func outputFolderNotWritableIsRetriedUntilItIsFixed() async throws { try await offPool {
        let d = try DaemonHarness(retry: "maxAttempts = 6")
        defer { try? Self.setWritable(d.output, true); d.remove() }
        try d.start()
        try Self.setWritable(d.output, false)
        try d.drop(Self.smallCT, as: "s", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the first attempt fails", timeout: 180) {
            try d.jobs().first.map { $0.errorCode != nil && $0.attempts >= 1 && $0.state == .queued } ?? false
        }
        let failed = try #require(try d.jobs().first)
        let reason = failed.errorMessage ?? ""
        #expect(reason.contains(d.output.path) && (reason.contains("Permission denied") || reason.contains("Operation not permitted")),
                "the reason names the folder and the error: \(reason)")
        #expect(failed.nextAttemptAt != nil, "a retry is scheduled")
        #expect(Self.inputFiles(d, failed).count == 3, "the input is kept in the spool")
        try d.waitUntil("a second attempt has failed too", timeout: 180) {
            try d.store().job(failed.id).map { $0.attempts >= 2 && $0.state == .queued } ?? false
        }
        try Self.setWritable(d.output, true)
        try d.waitUntil("the job is done once the folder is writable", timeout: 240) {
            try d.store().job(failed.id)?.state == .done
        }
        let done = try #require(try d.store().job(failed.id))
        #expect(done.attempts >= 3)
        let details = try d.store().transitions(done.id).map(\.detail)
        #expect(details.contains { $0.contains("attempt 1 failed") }, "\(details)")
        let outputs = d.files(in: d.output)
        #expect(outputs.filter { $0.hasSuffix(".seg.dcm") }.count == 1, "\(outputs)")
        #expect(!outputs.contains { $0.contains(".segd-tmp") }, "\(outputs)")
        #expect(d.isRunning)
    }
    }

    /// A 64 KiB tmpfs as the output folder, filled up: needs root (mount).
    @Test(.enabled(if: DaemonFaultTests.isRoot, "mounting a small tmpfs needs root"))
    func outputFileSystemFullIsRetriedAndTheInputKept() async throws { try await offPool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("segd-fullfs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let (m, mtext) = try DaemonHarness.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", scratch.path])
        try #require(m == 0, "mount -t tmpfs: \(mtext)")
        defer {
            _ = try? DaemonHarness.run("/usr/bin/umount", [scratch.path])
            try? FileManager.default.removeItem(at: scratch)
        }
        let d = try DaemonHarness(retry: "maxAttempts = 6", output: scratch)
        defer { d.remove() }
        try d.start()
        // Fill the file system to the last byte.
        let filler = scratch.appendingPathComponent("filler")
        let fd = open(filler.path, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        let block = [UInt8](repeating: 0xAB, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, 4096) }) > 0 {}
        close(fd)
        try d.drop(Self.smallCT, as: "s", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("an attempt fails for want of space", timeout: 180) {
            try d.jobs().first.map { $0.errorCode != nil && $0.state == .queued } ?? false
        }
        let failed = try #require(try d.jobs().first)
        #expect(failed.errorMessage?.contains("No space left on device") == true, "\(failed.errorMessage ?? "")")
        #expect(Self.inputFiles(d, failed).count == 3, "the input is kept in the spool")
        #expect(!d.files(in: scratch).contains { $0.contains(".segd-tmp") }, "no partial output stays")
        try FileManager.default.removeItem(at: filler)
        try d.waitUntil("the job is done once there is space", timeout: 240) { try d.store().job(failed.id)?.state == .done }
        let done = try #require(try d.store().job(failed.id))
        #expect(done.attempts >= 2)
        #expect(d.files(in: scratch).filter { $0.hasSuffix(".seg.dcm") }.count == 1)
        #expect(d.isRunning)
        d.stop()
    }
    }

    /// `segd run` with a state folder it cannot write: a clear refusal and a non-zero exit, twice: a new, read-only
    /// folder; and (as root) an existing store on a read-only bind mount.
    @Test func readOnlyStateFolderIsAClearRefusalToStart() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { try? Self.setWritable(d.state, true); d.remove() }
        try FileManager.default.createDirectory(at: d.state, withIntermediateDirectories: true)
        try Self.setWritable(d.state, false)
        let segd = DaemonHarness.buildFolder.appendingPathComponent("segd").path
        let (status, text) = try Self.runBounded(segd, ["run", "--config", d.configURL.path])
        #expect(status != 0, "refuses to start: \(text)")
        #expect(text.contains("state folder \(d.state.path) is not writable"), "a clear message: \(text)")
        try Self.setWritable(d.state, true)

        guard Self.isRoot else { return }
        // An existing store, then the state folder remounted read-only.
        try d.start()
        #expect(d.stop() == 0)
        let (b, btext) = try DaemonHarness.run("/usr/bin/mount", ["--bind", d.state.path, d.state.path])
        try #require(b == 0, "mount --bind: \(btext)")
        defer { _ = try? DaemonHarness.run("/usr/bin/umount", [d.state.path]) }
        let (r, rtext) = try DaemonHarness.run("/usr/bin/mount", ["-o", "remount,bind,ro", d.state.path])
        try #require(r == 0, "remount ro: \(rtext)")
        let (status2, text2) = try Self.runBounded(segd, ["run", "--config", d.configURL.path])
        #expect(status2 != 0, "refuses to start on a read-only store: \(text2)")
        #expect(text2.contains("state folder \(d.state.path) is not writable"), "\(text2)")
    }
    }

    /// Runs a program that must end by itself within 60 s (else it is killed and the test fails).
    static func runBounded(_ program: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        #expect(p.terminationReason == .exit, "ended by itself, not by the 60 s guard")
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Plugins that crash or hang inside a worker: the job ends with the reason, the daemon and the next job do not
/// notice.
@Suite(.serialized) struct DaemonPluginFaultTests {
    static let faultyPlugin = DaemonHarness.buildFolder.appendingPathComponent("libSegdTestPluginFaulty.so")

    /// A harness whose plugin folder holds the faulty test plugin and whose models include `id` (class `cls`),
    /// routed for the small CT (SeriesDescription "Image 23x38x3"); any other CT goes to the real UTNet.
    static func harness(model id: String, class cls: String, timeouts: String = "") throws -> DaemonHarness {
        let rules = """
            [[rule]]
            name = "faulty"
            models = ["\(id)"]
            when = [ { field = "SeriesDescription", equals = "Image 23x38x3" } ]
            [[rule]]
            name = "ct"
            models = ["utnet-test"]
            when = [ { field = "Modality", equals = "CT" } ]
            """
        let d = try DaemonHarness(timeouts: timeouts, rules: rules, paths: "plugins = [\"@PLUGINS@\"]")
        let plugins = d.root.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        #expect(FileManager.default.fileExists(atPath: faultyPlugin.path), "build the SegdTestPluginFaulty product")
        try FileManager.default.copyItem(at: faultyPlugin, to: plugins.appendingPathComponent(faultyPlugin.lastPathComponent))
        d.configText = d.configText.replacingOccurrences(of: "@PLUGINS@", with: plugins.path)
        try Data(d.configText.utf8).write(to: d.configURL)
        try TestBundle.make(in: d.root.appendingPathComponent("models"), id: id, networkClass: cls)
        return d
    }

    @Test func aPluginThatSegfaultsQuarantinesItsJobNamingTheSignal() async throws { try await offPool {
        let d = try Self.harness(model: "crashes", class: "test.Segfault")
        defer { d.remove() }
        try d.start()
        try d.drop(DaemonTests.smallCT, as: "a", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the crashing job ends", timeout: 180) { try d.jobs().first?.state.isFinal ?? false }
        let job = try #require(try d.jobs().first)
        #expect(job.state == .quarantined, "\(job.state)")
        let reason = job.errorMessage ?? ""
        #expect(reason.contains("signal 11") && reason.contains("stage inference"), "\(reason)")
        let folder = d.quarantine.appendingPathComponent(job.id)
        let kept = d.files(in: folder)
        #expect(kept.filter { $0.hasSuffix(".dcm") }.count == 3, "the input is in quarantine: \(kept)")
        let text = (try? String(contentsOf: folder.appendingPathComponent("reason.txt"), encoding: .utf8)) ?? ""
        #expect(text.contains("signal 11"), "\(text)")
        #expect(d.isRunning, "the daemon survives")
        try d.drop(DaemonFaultTests.enhancedCT, as: "b", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the next job is done", timeout: 180) {
            try d.jobs().contains { $0.id != job.id && $0.state == .done && $0.models == ["utnet-test"] }
        }
        #expect(d.files(in: d.output).filter { $0.hasSuffix(".seg.dcm") }.count == 1)
    }
    }

    @Test func aPluginThatHangsIsEndedByTheInferenceTimeout() async throws { try await offPool {
        let d = try Self.harness(model: "hangs", class: "test.Hang", timeouts: "inference = 2")
        defer { d.remove() }
        try d.start()
        try d.drop(DaemonTests.smallCT, as: "a", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the hanging job ends", timeout: 180) { try d.jobs().first?.state.isFinal ?? false }
        let job = try #require(try d.jobs().first)
        #expect(job.state == .failed, "\(job.state)")
        #expect(job.errorCode == "timeout")
        let reason = job.errorMessage ?? ""
        #expect(reason.contains("inference stage exceeded its timeout of 2 s"), "\(reason)")
        #expect(DaemonFaultTests.inputFiles(d, job).count == 3, "a failed job's input stays in the spool")
        let (_, pids) = try DaemonHarness.run("/usr/bin/pgrep", ["-f", "worker --spec .*\(job.id)"])
        #expect(pids.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "the hung worker is gone: \(pids)")
        #expect(d.isRunning)
        // A real model needs more than 2 s of inference: reload with the default timeout (segctl reload, which
        // answers once the reload is done), then the next job runs to the end.
        d.configText = d.configText.replacingOccurrences(of: "inference = 2", with: "")
        try Data(d.configText.utf8).write(to: d.configURL)
        let (rs, rtext) = try DaemonHarness.run(DaemonHarness.buildFolder.appendingPathComponent("segctl").path,
                                                ["reload", "--socket", d.root.appendingPathComponent("control.sock").path])
        #expect(rs == 0, "segctl reload: \(rtext)")
        try d.drop(DaemonFaultTests.enhancedCT, as: "b", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the next job is done", timeout: 180) {
            try d.jobs().contains { $0.id != job.id && $0.state == .done }
        }
    }
    }
}
