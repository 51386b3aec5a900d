import Foundation
import SegControl
import SegDaemon
import TestSupport
import Testing

/// The mutating segctl commands (submit, cancel, retry, pause, resume, reload), in both output modes, against a
/// real `segd run`. Serialized: each test starts its own daemon.
@Suite(.serialized) struct SegctlDaemonActionTests {
    static let second = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/lcenh_ct_23x38x3")

    /// A folder under the submit root holding the DICOM files of `source`.
    static func copy(_ source: URL, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".dcm") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    @Test func submitWaitCancelAndRetry() async throws { try await offPool {
        let roots = FileManager.default.temporaryDirectory.appendingPathComponent("segd-submit-\(UUID().uuidString.prefix(8))")
        // The root is configured through a symbolic link, the folders are submitted by their real paths.
        let link = URL(fileURLWithPath: roots.path + "-link")
        defer {
            try? FileManager.default.removeItem(at: roots)
            try? FileManager.default.removeItem(at: link)
        }
        let a = roots.appendingPathComponent("a"), b = roots.appendingPathComponent("b")
        try Self.copy(DaemonTests.smallCT, to: a)
        try Self.copy(Self.second, to: b)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: roots)
        let d = try DaemonHarness(control: "submitRoots = [\"\(link.path)\"]")
        defer { d.remove() }
        try d.start()
        let ctl = SegctlRunner(socket: d.socket)

        let outside = try ctl(["submit", d.root.path])
        #expect(outside.status == 2 && outside.stderr.contains("is outside the submit roots (\(link.path))")
                && outside.stderr.split(separator: "\n").count == 1, "\(outside)")
        let noModel = try ctl(["submit", a.path, "--model", "nope"])
        #expect(noModel.status == 2 && noModel.stderr.contains("no model nope"), "\(noModel)")

        let submitted = try ctl(["submit", a.path])
        #expect(submitted.status == 0 && submitted.stdout.hasPrefix("submitted 3 files as 1 job: j-"), "\(submitted)")
        let firstID = String(submitted.stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try d.store().job(firstID)?.files == 3, "the job \(firstID) is in the store")
        #expect(d.files(in: a).count == 3, "submit copies: the submitted folder is left as it is")

        let waited = try ctl(["submit", b.path, "--wait"])
        #expect(waited.status == 0, "\(waited)")
        let waitedID = String(waited.stdout.split(separator: " ").first ?? "")
        #expect(waited.stdout == "\(waitedID) done\n" && waited.stderr.contains("\(waitedID) running"), "\(waited)")
        let waitedJob = try #require(try d.store().job(waitedID))
        #expect(waitedJob.state == .done && waitedJob.rule == "ct" && waitedJob.outputs["seg:utnet-test"] != nil)
        try d.waitUntil("the first submitted job is done", timeout: 180) { try d.store().job(firstID)?.state == .done }

        // A running job is cancelled (its worker ended); a cancelled job is retried, then cancelled while queued
        // or running.
        let slow = try SegctlRunner.decode(SubmitResult.self, try ctl(["submit", a.path, "--model", "utnet-slow"], json: true))
        #expect(slow.files == 3 && slow.jobs.count == 1 && slow.jobs.first?.state == "queued", "\(slow)")
        let slowID = try #require(slow.jobs.first?.id)
        try d.waitUntil("the slow job runs", timeout: 120) { try d.store().job(slowID)?.state == .running }
        let cancelled = try ctl(["cancel", slowID])
        #expect(cancelled.status == 0 && cancelled.stdout.hasPrefix("\(slowID) "), "\(cancelled)")
        try d.waitUntil("the slow job is cancelled", timeout: 60) { try d.store().job(slowID)?.state == .cancelled }
        let again = try ctl(["cancel", slowID], json: true)
        #expect(again.status == 2 && again.stdout.contains("\"code\" : \"refused\"") && again.stderr.contains("cancelled already"),
                "\(again)")
        let retried = try SegctlRunner.decode(JobInfo.self, try ctl(["retry", slowID], json: true))
        #expect(retried.id == slowID && retried.state == "queued" && retried.attempts == 0 && retried.error == nil, "\(retried)")
        let recancelled = try SegctlRunner.decode(JobInfo.self, try ctl(["cancel", slowID], json: true))
        #expect(recancelled.id == slowID && ["cancelled", "running"].contains(recancelled.state), "\(recancelled)")
        try d.waitUntil("the retried job is cancelled", timeout: 60) { try d.store().job(slowID)?.state == .cancelled }
        let retriedHuman = try ctl(["retry", slowID])
        #expect(retriedHuman.status == 0 && retriedHuman.stdout == "\(slowID) queued\n", "\(retriedHuman)")
        _ = try ctl(["cancel", slowID])
        try d.waitUntil("the job is cancelled a third time", timeout: 60) { try d.store().job(slowID)?.state == .cancelled }
        let doneCancel = try ctl(["cancel", waitedID])
        #expect(doneCancel.status == 2 && doneCancel.stderr.contains("done already"), "\(doneCancel)")
        let doneRetry = try ctl(["retry", waitedID])
        #expect(doneRetry.status == 2 && doneRetry.stderr == "segctl: job \(waitedID) is done; to process the series again, submit or drop it again\n",
                "\(doneRetry)")
        #expect(try d.store().job(waitedID)?.state == .done)

        // submit --wait exits 1 when the job does not end done (here: cancelled while it runs).
        let known = Set(try d.jobs().map(\.id))
        let waiting = try ctl.start(["submit", a.path, "--model", "utnet-slow", "--wait"], json: true)
        try d.waitUntil("the waited-for job runs", timeout: 120) {
            try d.jobs().contains { !known.contains($0.id) && $0.state == .running }
        }
        let victim = try #require(try d.jobs().first { !known.contains($0.id) })
        #expect(try ctl(["cancel", victim.id]).status == 0)
        let ended = waiting.finish()
        #expect(ended.status == 1, "\(ended)")
        let final = try SegctlRunner.decode(JobList.self, ended)
        #expect(final.jobs.map(\.id) == [victim.id] && final.jobs.first?.state == "cancelled", "\(final)")
        #expect(d.isRunning)
    }
    }

    @Test func pauseKeepsFilesInTheDropFolderUntilResume() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        let ctl = SegctlRunner(socket: d.socket)

        let paused = try ctl(["pause"])
        #expect(paused.status == 0 && paused.stdout.hasPrefix("intake paused"), "\(paused)")
        let status = try ctl(["status"])
        #expect(status.stdout.contains("ingest   paused"), "\(status)")
        #expect(try SegctlRunner.decode(StatusReport.self, try ctl(["status"], json: true)).ingestPaused)
        #expect(try ctl(["metrics"]).stdout.contains("segd_intake_paused 1"))
        try d.drop(DaemonTests.smallCT, as: "while-paused", pause: 0, only: DaemonTests.dicomOnly)
        Thread.sleep(forTimeInterval: 6)  // three times the quiet time: an unpaused daemon would have taken them
        #expect(d.files(in: d.watch).count == 3, "the files stay in the drop folder: \(d.files(in: d.watch))")
        #expect(try d.jobs().isEmpty, "no job while paused")

        let resumed = try SegctlRunner.decode(ActionResult.self, try ctl(["resume"], json: true))
        #expect(resumed.message.hasPrefix("intake resumed"), "\(resumed)")
        try d.waitUntil("the dropped series is processed", timeout: 180) { try d.jobs().first?.state == .done }
        let taken = try d.jobs().first?.files
        #expect(d.files(in: d.watch).isEmpty && taken == 3)
        #expect(try SegctlRunner.decode(ActionResult.self, try ctl(["pause"], json: true)).message.hasPrefix("intake paused"))
        let again = try ctl(["resume"])
        #expect(again.status == 0 && again.stdout.hasPrefix("intake resumed"), "\(again)")
        #expect(try !SegctlRunner.decode(StatusReport.self, try ctl(["status"], json: true)).ingestPaused)
    }
    }

    @Test func reloadTakesNewRulesAndModelsAndKeepsTheOldOnError() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        let ctl = SegctlRunner(socket: d.socket)

        let same = try ctl(["reload"])
        #expect(same.status == 0 && same.stdout == "configuration reloaded from \(d.configURL.path): 1 rules, 2 models\n", "\(same)")

        try TestBundle.make(in: d.root.appendingPathComponent("models"), id: "utnet-extra")
        let extra = """
            [[rule]]
            name = "extra"
            models = ["utnet-extra"]
            when = [ { field = "Modality", equals = "CT" } ]
            """
        try Data(d.configText.replacingOccurrences(of: DaemonHarness.ctRule, with: extra + "\n" + DaemonHarness.ctRule).utf8)
            .write(to: d.configURL)
        let reloaded = try SegctlRunner.decode(ActionResult.self, try ctl(["reload"], json: true))
        #expect(reloaded.message.hasSuffix(": 2 rules, 3 models"), "\(reloaded)")
        #expect(try SegctlRunner.decode(StatusReport.self, try ctl(["status"], json: true)).models.contains("utnet-extra"))
        let rules = try SegctlRunner.decode(RulesTestReport.self, try ctl(["rules", "test", DaemonTests.smallCT.path], json: true))
        #expect(rules.series.first?.rule == "extra" && rules.series.first?.models == ["utnet-extra"], "\(rules)")

        try Data("[paths\nthis is not TOML\n".utf8).write(to: d.configURL)
        let broken = try ctl(["reload"])
        #expect(broken.status == 2 && broken.stderr.contains("the previous configuration stays in force")
                && broken.stderr.split(separator: "\n").count == 1, "\(broken)")
        let brokenJSON = try ctl(["reload"], json: true)
        #expect(brokenJSON.status == 2 && (try? SegctlRunner.decode(ControlErrorBody.self, brokenJSON))?.code == "bad-request")
        let kept = try SegctlRunner.decode(RulesTestReport.self, try ctl(["rules", "test", DaemonTests.smallCT.path], json: true))
        #expect(kept.series.first?.rule == "extra", "the previous configuration stays in force")
        #expect(d.isRunning)
    }
    }
}
