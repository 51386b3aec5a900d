import Foundation
import SegDaemon
import TestSupport
import Testing

/// The daemon end to end: a real `segd run` process, real series dropped file by file, real plugins in worker
/// processes, SEGs judged by the independent validator. Serialized: each test starts its own daemon.
@Suite(.serialized) struct DaemonTests {
    static let smallCT = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/seg_ref_dcmqi_23x38x3/source")
    static let dicomOnly: @Sendable (String) -> Bool = { $0.hasSuffix(".dcm") }

    @Test func seriesDroppedSlowlyGivesExactlyOneValidSEG() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        try d.drop(Self.smallCT, as: "study1", pause: 0.7, only: Self.dicomOnly)
        try d.waitUntil("the job is done", timeout: 180) { try d.jobs().contains { $0.state == .done } }
        let jobs = try d.jobs()
        #expect(jobs.count == 1, "one series, one job: \(jobs.map { "\($0.id) \($0.state)" })")
        let job = try #require(jobs.first)
        #expect(job.files == 3)
        #expect(job.models == ["utnet-test"])
        #expect(job.rule == "ct")
        let segs = d.files(in: d.output).filter { $0.hasSuffix(".seg.dcm") }
        #expect(segs.count == 1)
        let seg = d.output.appendingPathComponent(try #require(segs.first)).path
        #expect(job.outputs["seg:utnet-test"] == seg)
        // The preview PNG is written beside the SEG and served through the control socket.
        let preview = try #require(job.outputs["preview:utnet-test"])
        #expect(FileManager.default.contents(atPath: preview)?.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let png = d.root.appendingPathComponent("p.png").path
        let (ps, pout) = try DaemonHarness.run(DaemonHarness.buildFolder.appendingPathComponent("segctl").path,
                                               ["job", "preview", job.id, "--out", png, "--socket", d.root.appendingPathComponent("control.sock").path])
        #expect(ps == 0 && FileManager.default.contents(atPath: png) == FileManager.default.contents(atPath: preview), "\(pout)")
        let (_, verdict) = try DaemonHarness.run(DaemonHarness.shared.appendingPathComponent("tools/check-seg").path,
                                                 [seg, Self.smallCT.path])
        #expect(verdict.hasPrefix("SEG OK"), "\(verdict)")
        // The drop folder is empty; the timings of every stage are recorded.
        #expect(d.files(in: d.watch).isEmpty, "left in the drop folder: \(d.files(in: d.watch))")
        let stages = Set(try d.store().stages(job.id).map(\.stage))
        #expect(stages.isSuperset(of: ["decode", "preprocess", "inference", "postprocess", "write"]), "\(stages)")
        // No patient data in the log: the series UID never appears, its hash does.
        #expect(!d.logText.contains(job.seriesUID))
        #expect(d.logText.contains(job.seriesHash))
        #expect(d.stop() == 0, "SIGTERM is a clean exit")
        #expect(d.logText.contains("segd stopped"), "SIGTERM took the graceful path (services stopped in order)")
    }
    }

    /// SIGTERM while segd is still starting (before its service group runs) ends it at once with status 0: no
    /// job runs yet, and every start-up step is safe to cut short (the crash campaign kills at random moments).
    @Test func aSIGTERMDuringStartUpIsACleanExit() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        let p = Process()
        p.executableURL = DaemonHarness.buildFolder.appendingPathComponent("segd")
        p.arguments = ["run", "--config", d.configURL.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // As soon as the job store exists: configuration loaded, start-up under way.
        try d.waitUntil("start-up begins", timeout: 60) {
            FileManager.default.fileExists(atPath: d.state.appendingPathComponent("segd.sqlite").path)
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0,
                "\(p.terminationReason == .exit ? "exit" : "signal") \(p.terminationStatus)")
    }
    }

    @Test func killedDuringInferenceTheJobCompletesExactlyOnceAfterRestart() async throws { try await offPool {
        let rules = """
            [[rule]]
            name = "slow"
            models = ["utnet-slow"]
            when = [ { field = "Modality", equals = "CT" } ]
            """
        let d = try DaemonHarness(rules: rules)
        defer { d.remove() }
        try d.start()
        try d.drop(Self.smallCT, as: "s", pause: 0, only: Self.dicomOnly)
        try d.waitUntil("inference runs", timeout: 180) {
            try d.jobs().first.map { $0.state == .running && $0.stage == .inference } ?? false
        }
        #expect(d.stop(SIGKILL) == SIGKILL)
        try d.start()
        try d.waitUntil("the job is done after the restart", timeout: 400) { try d.jobs().first?.state == .done }
        let job = try #require(try d.jobs().first)
        #expect(try d.jobs().count == 1)
        #expect(job.attempts == 1, "the attempt cut short by the daemon's death does not count")
        let transitions = try d.store().transitions(job.id).map(\.detail)
        #expect(transitions.contains { $0.contains("resumed after a restart") }, "\(transitions)")
        let outputs = d.files(in: d.output)
        #expect(outputs.filter { $0.hasSuffix(".seg.dcm") }.count == 1, "\(outputs)")
        #expect(!outputs.contains { $0.hasSuffix(".segd-tmp") }, "no partial output is left: \(outputs)")
        let seg = d.output.appendingPathComponent(outputs.first { $0.hasSuffix(".seg.dcm") }!).path
        let (_, verdict) = try DaemonHarness.run(DaemonHarness.shared.appendingPathComponent("tools/check-seg").path,
                                                 [seg, Self.smallCT.path])
        #expect(verdict.hasPrefix("SEG OK"), "\(verdict)")
    }
    }

    @Test func aKilledWorkerFailsOnlyItsJobAndTheNextJobSucceeds() async throws { try await offPool {
        let rules = """
            [[rule]]
            name = "slow"
            models = ["utnet-slow"]
            when = [ { field = "SeriesDescription", equals = "Image 23x38x3" } ]
            [[rule]]
            name = "fast"
            models = ["utnet-test"]
            when = [ { field = "Modality", equals = "CT" } ]
            """
        let d = try DaemonHarness(rules: rules)
        defer { d.remove() }
        try d.start()
        try d.drop(Self.smallCT, as: "a", pause: 0, only: Self.dicomOnly)
        try d.waitUntil("the first job's inference runs", timeout: 180) {
            try d.jobs().first.map { $0.stage == .inference } ?? false
        }
        let first = try #require(try d.jobs().first)
        let (_, pids) = try DaemonHarness.run("/usr/bin/pgrep", ["-f", "worker --spec .*\(first.id)"])
        let pid = try #require(Int32(pids.split(separator: "\n").first ?? ""), "worker pid of \(first.id)")
        kill(pid, SIGSEGV)
        let second = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/lcenh_ct_23x38x3")
        try d.drop(second, as: "b", pause: 0, only: Self.dicomOnly)
        try d.waitUntil("the first job fails", timeout: 60) { try d.store().job(first.id)?.state.isFinal ?? false }
        let failed = try #require(try d.store().job(first.id))
        #expect(failed.state == .quarantined, "a crash (SIGSEGV) repeats on the same input: quarantine")
        #expect(failed.errorMessage?.contains("signal 11") == true, "\(failed.errorMessage ?? "")")
        #expect(FileManager.default.fileExists(atPath: d.quarantine.appendingPathComponent(first.id).appendingPathComponent("reason.txt").path))
        #expect(d.isRunning, "the daemon survives")
        try d.waitUntil("the next job is done", timeout: 180) {
            try d.jobs().contains { $0.id != first.id && $0.state == .done && $0.models == ["utnet-test"] }
        }
    }
    }
}

/// Bad input and unrouted series end where they should, with reasons, and the daemon stays up; segctl reads the
/// real daemon over its socket.
@Suite(.serialized) struct DaemonBadInputTests {
    @Test func junkTiltAnd4DEndInQuarantineWithReasons() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        let junk = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/not_dicom_mixed_junk")
        try d.drop(junk, as: "junk", pause: 0)
        for name in ["ct_ge_tilt_variable_spacing", "mr_ge_fmri_4d"] {
            let source = DaemonHarness.shared.appendingPathComponent("dicom/\(name)")
            #expect(FileManager.default.fileExists(atPath: source.path), "the shared corpus is missing \(source.path)")
            try d.drop(source, as: name, pause: 0) { $0 != "expected.json" }
        }
        try d.waitUntil("every job is final", timeout: 180) {
            let jobs = try d.jobs()
            return jobs.count >= 3 && jobs.allSatisfy { $0.state.isFinal }
        }
        let jobs = try d.jobs()
        #expect(jobs.allSatisfy { $0.state == .quarantined || $0.state == .unrouted }, "\(jobs.map { "\($0.state) \($0.errorMessage ?? "")" })")
        let reasons = jobs.compactMap(\.errorMessage).joined(separator: "\n")
        #expect(reasons.contains("non-uniform slice spacing"), "the tilted, variably spaced CT: \(reasons)")
        #expect(reasons.contains("4-D series"), "the fMRI: \(reasons)")
        #expect(reasons.contains("no DICOM image series found"), "the junk: \(reasons)")
        // The 4-D MR is not CT: it reaches no rule, or is rejected as 4-D; either way it is not processed.
        for job in jobs where job.state == .quarantined {
            let reason = d.quarantine.appendingPathComponent(job.id).appendingPathComponent("reason.txt")
            #expect(FileManager.default.fileExists(atPath: reason.path), "reason.txt of \(job.id)")
        }
        #expect(d.files(in: d.output).isEmpty, "no SEG for bad input")
        #expect(d.isRunning, "the daemon stays up")

        // segctl against the real daemon.
        let segctl = DaemonHarness.buildFolder.appendingPathComponent("segctl").path
        let socket = d.root.appendingPathComponent("control.sock").path
        let (status, text) = try DaemonHarness.run(segctl, ["status", "--socket", socket, "--json"])
        #expect(status == 0, "\(text)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let queue = try #require(report["queue"] as? [String: Int])
        #expect(queue["quarantined", default: 0] + queue["unrouted", default: 0] == jobs.count)
        let quarantined = try #require(jobs.first { $0.state == .quarantined })
        let (s2, shown) = try DaemonHarness.run(segctl, ["job", "show", quarantined.id, "--socket", socket])
        #expect(s2 == 0 && shown.contains(quarantined.id), "\(shown)")
        let (s3, metrics) = try DaemonHarness.run(segctl, ["metrics", "--socket", socket])
        #expect(s3 == 0 && metrics.contains("segd_jobs{state=\"quarantined\"}"), "\(metrics)")
    }
    }

    @Test func aFileThatCrashedTheHeaderReaderIsQuarantinedUnreadAtTheNextStart() async throws {
        try await offPool {
            let d = try DaemonHarness()
            defer { d.remove() }
            // As if segd had died inside DCMTK while reading this file's header: the marker names it.
            let file = d.watch.appendingPathComponent("poison.dcm")
            try FileManager.default.createDirectory(at: d.watch, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: d.state, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: DaemonTests.smallCT.appendingPathComponent("IMG0001.dcm"), to: file)
            try Data(file.path.utf8).write(to: d.state.appendingPathComponent("ingest-inflight"))
            try d.start()
            try d.waitUntil("the file is quarantined", timeout: 60) { try d.jobs().contains { $0.state == .quarantined } }
            let job = try #require(try d.jobs().first { $0.state == .quarantined })
            #expect(job.errorMessage?.contains("without reading it again") == true, "\(job.errorMessage ?? "")")
            #expect(!FileManager.default.fileExists(atPath: file.path))
            #expect(d.isRunning)
        }
    }

    @Test func aSeriesNoRuleMatchesIsUnrouted() async throws { try await offPool {
        let rules = """
            [[rule]]
            name = "mr-only"
            models = ["utnet-test"]
            when = [ { field = "Modality", equals = "MR" } ]
            """
        let d = try DaemonHarness(processing: "retention = \"delete\"", rules: rules)
        defer { d.remove() }
        try d.start()
        try d.drop(DaemonTests.smallCT, as: "x", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the job is unrouted", timeout: 120) { try d.jobs().first?.state == .unrouted }
        let job = try #require(try d.jobs().first)
        #expect(job.routing.contains { $0.contains("Modality is \"CT\"") }, "\(job.routing)")
        #expect(!FileManager.default.fileExists(atPath: d.spool.appendingPathComponent(job.id).path),
                "retention = delete removes the input of an unrouted series")
        #expect(d.files(in: d.output).isEmpty)
    }
    }
}
