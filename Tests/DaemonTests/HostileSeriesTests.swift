import Foundation
import SegDaemon
import TestSupport
import Testing

extension HostileInputTests {
    /// A series of 5,000 slices (`SEGD_HOSTILE_SLICES`) under a small memory budget: admission refuses it before
    /// any pixel is decoded, with the reason; the job fails (not the input's fault: not quarantined), the daemon
    /// stays up, and a small series after it still runs.
    @Test func aFiveThousandSliceSeriesIsRefusedByMemoryAdmission() async throws { try await offPool {
        let count = ProcessInfo.processInfo.environment["SEGD_HOSTILE_SLICES"].flatMap { Int($0) } ?? 5_000
        // A quiet time of 5 s: on a loaded machine a pause of 2 s in the intake of 5,000 files splits the series
        // into a first batch and a re-run (as designed); both are then refused, but the figures are clearer whole.
        let d = try Hostile.harness(processing: "memoryBudget = \"64MiB\"", quietSeconds: 5)
        defer { d.remove() }
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let stage = d.root.appendingPathComponent("stage/big-series")
        let generated = Date()
        // Its own SeriesInstanceUID: the small series dropped afterwards is another series, not a re-run.
        try SyntheticSeries(template: Hostile.slice).writeFast(count: count, to: stage,
                                                           seriesUID: Array("1.2.826.0.1.3680043.2.1125.7.\(UInt32.random(in: 1...999_999))".utf8))
        let generation = Date().timeIntervalSince(generated)
        let started = Date()
        #expect(rename(stage.path, d.watch.appendingPathComponent("big-series").path) == 0)
        try d.waitUntil("the big series' jobs end", timeout: 300) {
            let jobs = try d.jobs()
            return !jobs.isEmpty && jobs.allSatisfy { $0.state.isFinal } && jobs.map(\.files).reduce(0, +) == count
        }
        let elapsed = Date().timeIntervalSince(started)
        let jobs = try d.jobs()
        #expect(jobs.count == 1, "one batch (a split means the intake paused past the quiet time): \(jobs.map { "g\($0.generation) \($0.state) \($0.files)" })")
        for job in jobs {
            #expect(job.state == .failed, "\(job.state)")
            #expect(job.errorCode == "refused")
            #expect(job.errorMessage?.contains("processing.memoryBudget") == true, "\(job.errorMessage ?? "")")
        }
        let job = try #require(jobs.last)
        let estimate = try #require(job.estimatedPeakBytes)
        #expect(estimate > 64 << 20, "the estimate exceeds the budget: \(estimate)")
        let stages = try d.store().stages(job.id).map(\.stage)
        #expect(!stages.contains("decode"), "no pixel was decoded: \(stages)")
        #expect(FileManager.default.fileExists(atPath: d.spool.appendingPathComponent(job.id).path), "the input is kept in the spool")
        let figures = Hostile.figures(pid: pid)
        print("hostile/\(count) slices: generated in \(String(format: "%.1f", generation)) s; refused \(String(format: "%.1f", elapsed)) s after the drop (5 s quiet time included); estimate \(Hostile.mib(estimate)) vs budget 64 MiB; daemon peak RSS \(Hostile.mib(figures.peakRSS)); reason: \(job.errorMessage ?? "")")
        #expect(d.isRunning)
        // The daemon still works: a small series is done after it.
        try d.drop(DaemonTests.smallCT, as: "small", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the small series is done", timeout: 180) { try d.jobs().contains { $0.state == .done } }
    }
    }

    /// SeriesInstanceUIDs made to escape (`../`, `/`, absolute paths, NUL-free control bytes, 300 characters):
    /// each series is one job under a job id; no path segd creates carries the UID; nothing lands outside
    /// segd's folders; the log names the series by hash only.
    @Test func hostileSeriesUIDsNeverBecomePaths() async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly)
        defer { d.remove() }
        try d.start()
        let uids: [String] = [
            "../../../../../../tmp/segd-escape-\(UUID().uuidString.prefix(6))",
            "/etc/segd-escape",
            "1.2.3/../../x",
            "..",
            "1.2.\u{1B}[31m.3\nFAKE-LOG-LINE",
            "1.2." + String(repeating: "9", count: 300),
        ]
        let template = try SyntheticSeries(template: Hostile.slice)
        let stage = d.root.appendingPathComponent("stage")
        for (i, uid) in uids.enumerated() {
            let folder = stage.appendingPathComponent("s\(i)")
            try template.write(count: 2, to: folder, seriesUID: Array(uid.utf8))
            // DCMTK reads that UID back from the file.
            let (_, dump) = try DaemonHarness.run("/usr/bin/dcmdump", ["+P", "0020,000e", folder.appendingPathComponent("S000001.dcm").path])
            #expect(dump.contains(uid.prefix(40).replacingOccurrences(of: "\n", with: "")) || uid.contains("\u{1B}"), "\(dump)")
            #expect(rename(folder.path, d.watch.appendingPathComponent("s\(i)").path) == 0)
        }
        try d.waitUntil("every series is read", timeout: 120) {
            let jobs = try d.jobs()
            return jobs.count >= uids.count && jobs.allSatisfy { $0.state.isFinal }
        }
        let jobs = try d.jobs()
        // One job per hostile UID, kept as data (the header reader drops the control character \n).
        let asRead = uids.map { $0.replacingOccurrences(of: "\n", with: "") }
        #expect(Set(jobs.map(\.seriesUID)) == Set(asRead), "\(jobs.map(\.seriesUID.debugDescription))")
        #expect(jobs.allSatisfy { $0.files == 2 }, "\(jobs.map { "\($0.state) \($0.files) \($0.errorMessage ?? "")" })")
        #expect(jobs.allSatisfy { $0.state == .unrouted }, "\(jobs.map { "\($0.state) \($0.errorMessage ?? "")" })")
        // segd's folders hold job ids and its own file names only.
        for folder in [d.spool, d.quarantine, d.output] {
            for rel in Hostile.rawTree(folder.path) {
                let path = String(decoding: rel, as: UTF8.self)
                let first = String(path.split(separator: "/").first ?? "")
                #expect(JobID.isValid(first), "\(folder.lastPathComponent)/\(path.debugDescription)")
                #expect(!path.contains("..") && !path.contains("escape") && !path.contains("999999"), "\(path.debugDescription)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/segd-escape"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).allSatisfy { !$0.hasPrefix(String(uids[0].split(separator: "/").last!)) })
        let top = Set(try FileManager.default.contentsOfDirectory(atPath: d.root.path))
        #expect(top.isSubset(of: ["in", "out", "state", "spool", "quarantine", "archive", "models", "segd.conf", "segd.log", "control.sock", "stage"]), "\(top)")
        let log = d.logText
        for uid in uids + asRead { #expect(!log.contains(uid), "the raw UID is in the log") }
        #expect(!log.components(separatedBy: "\n").contains { $0.hasPrefix("FAKE-LOG-LINE") })
        for job in jobs { #expect(log.contains(job.seriesHash)) }
        #expect(d.isRunning)
    }
    }
}
