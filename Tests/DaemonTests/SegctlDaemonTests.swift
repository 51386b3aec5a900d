import Foundation
import SegControl
import SegDaemon
import TestSupport
import Testing

/// Every segctl command, in both output modes, against a real `segd run` with real series and real workers.
/// Serialized: each test starts its own daemon. The mutating commands are in `SegctlDaemonActionTests`.
@Suite(.serialized) struct SegctlDaemonTests {
    static let ct = DaemonTests.smallCT
    static let utnetClass = "yhygao/UTNet:model.utnet.UTNet"
    static let statusKeys: Set<String> = ["version", "protocolVersion", "pid", "startedAt", "uptimeSeconds", "plugins",
                                          "models", "queue", "running", "memoryBudgetBytes", "memoryInUseBytes",
                                          "ingestPaused"]
    static let jobKeys: Set<String> = ["id", "state", "watch", "seriesHash", "modality", "models", "rule", "files",
                                       "attempts", "createdAt", "updatedAt", "finishedAt", "outputs"]

    @Test func versionStatusModelsPluginsAndRulesTest() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        let ctl = SegctlRunner(socket: d.socket)

        let v = try ctl(["version"])
        #expect(v.status == 0 && v.stdout.contains("segd   \(SegdVersion.string) (protocol \(ControlProtocol.version))"), "\(v)")
        struct Versions: Decodable { var segctl: VersionReport; var segd: VersionReport }
        let versions = try SegctlRunner.decode(Versions.self, try ctl(["version"], json: true))
        #expect(versions.segd == VersionReport() && versions.segctl == VersionReport())

        let s = try ctl(["status"])
        #expect(s.status == 0 && s.stderr.isEmpty, "\(s)")
        for line in ["ingest   running", "queue    empty", "running  none", "pid \(d.process?.processIdentifier ?? -1)"] {
            #expect(s.stdout.contains(line), "status lacks \"\(line)\": \(s.stdout)")
        }
        #expect(s.stdout.contains("models   2 loaded") && s.stdout.contains("utnet-test") && s.stdout.contains("utnet-slow"))
        let sj = try ctl(["status"], json: true)
        #expect(try SegctlRunner.keys(sj) == Self.statusKeys, "the documented StatusReport keys: \(sj.stdout)")
        let status = try SegctlRunner.decode(StatusReport.self, sj)
        #expect(status.pid == d.process?.processIdentifier && status.version == SegdVersion.string)
        #expect(Set(status.models) == ["utnet-test", "utnet-slow"] && !status.plugins.isEmpty)
        #expect(!status.ingestPaused && status.running.isEmpty && status.memoryBudgetBytes > 0)

        let plugins = try SegctlRunner.decode(PluginList.self, try ctl(["plugins"], json: true)).plugins
        let utnet = try #require(plugins.first { $0.loaded && $0.classes.contains(Self.utnetClass) }, "\(plugins)")
        let ph = try ctl(["plugins"])
        #expect(ph.status == 0 && ph.stdout.hasPrefix("STATUS") && ph.stdout.contains(Self.utnetClass)
                && ph.stdout.contains(utnet.path), "\(ph)")
        #expect(status.plugins.contains { $0.hasPrefix(utnet.name ?? "?") }, "\(status.plugins)")

        let models = try SegctlRunner.decode(ModelList.self, try ctl(["models"], json: true)).models
        #expect(models.map(\.id) == ["utnet-slow", "utnet-test"], "\(models)")
        for m in models {
            #expect(m.valid && m.version == "0.0.1" && m.networkClass == Self.utnetClass && m.labels == ["One", "Two", "Three"])
            #expect(m.plugin == utnet.name, "the plugin that runs \(m.id ?? "?"): \(m)")
        }
        let mh = try ctl(["models"])
        let testRow = mh.stdout.split(separator: "\n").first { $0.contains("utnet-test") } ?? ""
        #expect(mh.status == 0 && testRow.hasPrefix("valid") && testRow.contains(utnet.name ?? "?")
                && testRow.contains(d.root.appendingPathComponent("models/utnet-test").path), "\(mh)")

        // rules test: which rule matches, and why; nothing is queued.
        let rh = try ctl(["rules", "test", Self.ct.path])
        #expect(rh.status == 0 && rh.stdout.contains("CT") && rh.stdout.contains("3 slices")
                && rh.stdout.contains("→ utnet-test (rule ct)"), "\(rh)")
        let report = try SegctlRunner.decode(RulesTestReport.self, try ctl(["rules", "test", Self.ct.path], json: true))
        #expect(report.path == Self.ct.path && report.series.count == 1)
        let series = try #require(report.series.first)
        #expect(series.rule == "ct" && series.models == ["utnet-test"] && series.modality == "CT" && series.slices == 3)
        #expect(!series.decision.isEmpty && series.decision.joined().contains("ct"), "\(series.decision)")
        #expect(try d.jobs().isEmpty, "rules test queues nothing")
        let missing = try ctl(["rules", "test", d.root.appendingPathComponent("nowhere").path])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("segctl: ") && missing.stderr.split(separator: "\n").count == 1,
                "\(missing)")

        // The rule test's series hash is the one the job gets.
        try d.drop(Self.ct, as: "study", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the job is done", timeout: 180) { try d.jobs().first?.state == .done }
        #expect(try d.jobs().first?.seriesHash == series.seriesHash)
    }
    }

    @Test func jobsJobShowPreviewAndMetricsOfAProcessedSeries() async throws { try await offPool {
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        let ctl = SegctlRunner(socket: d.socket)
        try d.drop(Self.ct, as: "study", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the job is done", timeout: 180) { try d.jobs().first?.state == .done }
        let job = try #require(try d.jobs().first)

        let listed = try ctl(["jobs"])
        let rows = listed.stdout.split(separator: "\n")
        #expect(listed.status == 0 && rows.count == 2 && rows[0].hasPrefix("ID") && rows[0].contains("STATE"), "\(listed)")
        #expect(rows.last.map { $0.hasPrefix(job.id) && $0.contains(" done ") && $0.contains("utnet-test") && $0.contains(" CT ") } == true,
                "\(listed)")
        let all = try ctl(["jobs"], json: true)
        let object = try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any]
        let first = try #require((object?["jobs"] as? [[String: Any]])?.first, "\(all)")
        #expect(Self.jobKeys.isSubset(of: Set(first.keys)), "documented JobInfo keys: \(first.keys.sorted())")
        let future = ISO8601.format(Date().addingTimeInterval(3600))
        let filters: [([String], [String])] = [
            (["--state", "done", "--model", "utnet-test", "--since", "1h", "--limit", "5"], [job.id]),
            (["--state", "failed"], []), (["--state", "queued"], []), (["--model", "utnet-slow"], []),
            (["--since", future], []), (["--since", "2020-01-01"], [job.id]), (["--limit", "1"], [job.id]),
        ]
        for (args, expected) in filters {
            let human = try ctl(["jobs"] + args)
            #expect(human.status == 0, "\(human)")
            #expect(expected.isEmpty ? human.stdout == "no jobs\n" : expected.allSatisfy(human.stdout.contains), "\(human)")
            let list = try SegctlRunner.decode(JobList.self, try ctl(["jobs"] + args, json: true))
            #expect(list.jobs.map(\.id) == expected, "jobs \(args)")
        }
        let bad = try ctl(["jobs", "--state", "sleeping"])
        #expect(bad.status == 64 && bad.stderr.contains("unknown state"), "\(bad)")

        let shown = try ctl(["job", "show", job.id])
        #expect(shown.status == 0, "\(shown)")
        let segPath = try #require(job.outputs["seg:utnet-test"])
        for fact in ["job       \(job.id)", "state     done", "rule      ct", "models    utnet-test", "files     3",
                     "output    seg:utnet-test: \(segPath)", "inference", "routing:"] {
            #expect(shown.stdout.contains(fact), "job show lacks \"\(fact)\":\n\(shown.stdout)")
        }
        let dj = try ctl(["job", "show", job.id], json: true)
        #expect(Self.jobKeys.union(["transitions", "stages", "routing", "inputDir", "estimatedPeakBytes"])
            .isSubset(of: try SegctlRunner.keys(dj)), "JobDetail is JobInfo's fields plus its own at the top level: \(dj.stdout)")
        let detail = try SegctlRunner.decode(JobDetail.self, dj)
        #expect(detail.job.id == job.id && detail.job.state == "done" && detail.job.rule == "ct" && detail.job.files == 3)
        #expect(detail.job.outputs == job.outputs && FileManager.default.fileExists(atPath: segPath))
        #expect(Set(detail.stages.map(\.stage)).isSuperset(of: ["decode", "preprocess", "inference", "postprocess", "write"]))
        #expect(detail.transitions.last?.to == "done" && detail.transitions.first?.from == nil)
        #expect(detail.routing == job.routing && !detail.routing.isEmpty)
        #expect(detail.inputDir.map { FileManager.default.fileExists(atPath: $0) } == true && (detail.estimatedPeakBytes ?? 0) > 0)

        let preview = try #require(job.outputs["preview:utnet-test"])
        let png = d.root.appendingPathComponent("p.png").path
        let saved = try ctl(["job", "preview", job.id, "--out", png])
        #expect(saved.status == 0 && saved.stdout.hasPrefix("wrote \(png)"), "\(saved)")
        #expect(FileManager.default.contents(atPath: png) == FileManager.default.contents(atPath: preview))
        struct Saved: Decodable { var path: String; var bytes: Int }
        let png2 = d.root.appendingPathComponent("p2.png").path
        let savedJSON = try SegctlRunner.decode(Saved.self, try ctl(["job", "preview", job.id, "--out", png2], json: true))
        let previewBytes = FileManager.default.contents(atPath: preview)
        #expect(savedJSON.path == png2 && savedJSON.bytes == previewBytes?.count
                && FileManager.default.contents(atPath: png2) == previewBytes)

        let unknown = try ctl(["job", "show", "j-20200101-000000-000000"])
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("segctl: no job j-20200101-000000-000000")
                && unknown.stderr.split(separator: "\n").count == 1, "\(unknown)")
        let unknownJSON = try ctl(["job", "show", "j-20200101-000000-000000"], json: true)
        #expect(unknownJSON.status == 2 && (try? SegctlRunner.decode(ControlErrorBody.self, unknownJSON))?.code == "not-found")

        let metrics = try ctl(["metrics"])
        for line in ["segd_jobs{state=\"done\"} 1", "segd_files_received_total 3", "segd_intake_paused 0",
                     "segd_jobs_finished_total{outcome=\"done\",model=\"utnet-test\"} 1", "segd_stage_duration_seconds_count{stage=\"inference\"} 1"] {
            #expect(metrics.stdout.contains(line), "metrics lack \(line):\n\(metrics.stdout)")
        }
        struct Metrics: Decodable { var metrics: String }
        let mj = try SegctlRunner.decode(Metrics.self, try ctl(["metrics"], json: true))
        #expect(mj.metrics.contains("segd_jobs{state=\"done\"} 1") && mj.metrics.contains("# TYPE segd_jobs gauge"))
    }
    }
}
