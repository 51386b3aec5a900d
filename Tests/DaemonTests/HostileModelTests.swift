import Foundation
import SegDaemon
import TestSupport
import Testing

extension HostileInputTests {
    static let enhancedCT = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/lcenh_ct_23x38x3")

    /// A model bundle whose weights do not match model.json's sha256, found bad at start, and one corrupted
    /// while the daemon runs: the jobs routed to them fail (the input is not to blame: no quarantine, input
    /// kept) with a reason naming sha256; `segctl models` and `segd models` report the bundle invalid.
    @Test func aModelBundleWithTheWrongSHA256FailsItsJobsWithTheReason() async throws { try await offPool {
        let rules = """
            [[rule]]
            name = "to-corrupt"
            models = ["utnet-corrupt"]
            when = [ { field = "SeriesDescription", equals = "Image 23x38x3" } ]
            [[rule]]
            name = "ct"
            models = ["utnet-test"]
            when = [ { field = "Modality", equals = "CT" } ]
            """
        let d = try Hostile.harness(rules: rules)
        defer { d.remove() }
        let models = d.root.appendingPathComponent("models")
        try TestBundle.make(in: models, id: "utnet-corrupt")
        try flipLastByte(models.appendingPathComponent("utnet-corrupt/model.safetensors"))
        try d.start()
        #expect(d.logText.contains("utnet-corrupt") && d.logText.contains("sha256"), "the start-up log names the bad bundle")

        // The bundle bad from the start.
        try d.drop(Hostile.smallCT, as: "a", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the first job fails", timeout: 120) { try d.jobs().first?.state.isFinal ?? false }
        let first = try #require(try d.jobs().first)
        #expect(first.state == .failed, "not quarantined: the input is not to blame (\(first.state))")
        #expect(first.errorMessage?.contains("sha256") == true, "\(first.errorMessage ?? "")")
        #expect(first.errorMessage?.contains("utnet-corrupt") == true, "\(first.errorMessage ?? "")")
        #expect(Spool.inputFiles(in: d.spool.appendingPathComponent(first.id).path).count == 3, "the input is kept for a retry")

        // A bundle that was good at start, corrupted afterwards: the worker checks the weights again.
        try flipLastByte(models.appendingPathComponent("utnet-test/model.safetensors"))
        try d.drop(Self.enhancedCT, as: "b", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the second job fails", timeout: 120) { try d.jobs().count == 2 && d.jobs().allSatisfy { $0.state.isFinal } }
        let second = try #require(try d.jobs().first { $0.id != first.id })
        #expect(second.state == .failed, "\(second.state)")
        #expect(second.errorMessage?.contains("sha256") == true, "\(second.errorMessage ?? "")")
        #expect(d.files(in: d.output).isEmpty)

        // segctl models (the daemon's view) and segd models (the offline tool) report both bundles invalid.
        let (status, json, text) = try Hostile.segctl(d, ["models"])
        #expect(status == 0, "\(text)")
        let list = try #require((json as? [String: Any])?["models"] as? [[String: Any]], "\(text)")
        for id in ["utnet-corrupt", "utnet-test"] {
            let entry = try #require(list.first { ($0["directory"] as? String)?.hasSuffix("/\(id)") == true }, "\(text)")
            #expect(entry["valid"] as? Bool == false)
            #expect((entry["problem"] as? String)?.contains("sha256") == true, "\(entry)")
        }
        #expect(list.contains { ($0["directory"] as? String)?.hasSuffix("/utnet-slow") == true && $0["valid"] as? Bool == true })
        let (s2, offline) = try DaemonHarness.run(DaemonHarness.buildFolder.appendingPathComponent("segd").path, ["models", models.path])
        #expect(s2 == 0)
        #expect(offline.contains("invalid  \(models.path)/utnet-corrupt") && offline.contains("sha256"), "\(offline)")
        #expect(d.isRunning)
    }
    }

    /// A plugin built for another ABI version in the plugin folder (with a junk `.so` beside it): the daemon
    /// starts, `segctl plugins` reports both with the reason, and models served by the good plugins still run.
    @Test func aPluginOfTheWrongABIIsReportedAndOtherModelsWork() async throws { try await offPool {
        let plugins = FileManager.default.temporaryDirectory.appendingPathComponent("segd-plugins-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: plugins) }
        let wrong = DaemonHarness.buildFolder.appendingPathComponent("libSegdTestPluginWrongABI.so")
        #expect(FileManager.default.fileExists(atPath: wrong.path), "build the test plugin first: swift build")
        try FileManager.default.copyItem(at: wrong, to: plugins.appendingPathComponent("wrong-abi.so"))
        try Data("not a library".utf8).write(to: plugins.appendingPathComponent("junk.so"))
        let d = try Hostile.harness(extraPaths: "plugins = [\"\(plugins.path)\"]")
        defer { d.remove() }
        try d.start()
        #expect(d.isRunning, "a bad plugin does not stop the daemon")

        let (status, json, text) = try Hostile.segctl(d, ["plugins"])
        #expect(status == 0, "\(text)")
        let list = try #require((json as? [String: Any])?["plugins"] as? [[String: Any]], "\(text)")
        let wrongEntry = try #require(list.first { ($0["path"] as? String)?.hasSuffix("/wrong-abi.so") == true }, "\(text)")
        #expect(wrongEntry["loaded"] as? Bool == false)
        #expect((wrongEntry["problem"] as? String)?.contains("ABI version 99") == true, "\(wrongEntry)")
        let junkEntry = try #require(list.first { ($0["path"] as? String)?.hasSuffix("/junk.so") == true }, "\(text)")
        #expect(junkEntry["loaded"] as? Bool == false)
        #expect(list.contains { $0["loaded"] as? Bool == true && ($0["classes"] as? [String])?.contains("yhygao/UTNet:model.utnet.UTNet") == true },
                "the UTNet plugin is loaded: \(text)")
        #expect(d.logText.contains("wrong-abi.so"), "the start-up log names the plugin that failed")

        try d.drop(Hostile.smallCT, as: "a", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the job is done", timeout: 180) { try d.jobs().first?.state == .done }
        #expect(d.files(in: d.output).filter { $0.hasSuffix(".seg.dcm") }.count == 1)
    }
    }

    func flipLastByte(_ url: URL) throws {
        var data = try Data(contentsOf: url)
        data[data.count - 1] ^= 0xFF
        try data.write(to: url)
    }
}
