import Foundation
import SegDaemon
import SegModelKit
import TestSupport
import Testing

/// The crash campaign: N distinct real series dropped while the daemon is SIGKILLed at random moments and
/// restarted, K times. Afterwards every series is `done` with exactly one valid SEG, or `failed`/`quarantined`
/// with a reason; every byte dropped is in the spool, archive or quarantine; no job has two SEGs and no series
/// two done jobs.
///
/// Environment: `SEGD_CAMPAIGN_SERIES` (default 20), `SEGD_CAMPAIGN_KILLS` (default 5), `SEGD_CAMPAIGN_SEED`
/// (default: random; printed), `SEGD_CAMPAIGN_MAX_DELAY` (longest pause between kills, s, default 20),
/// `SEGD_CAMPAIGN_CHECK` (SEGs validated with `segd seg check`: "all" or a number, default all) and
/// `SEGD_CAMPAIGN_CHECK_SEG` (of those, how many also by ../shared/tools/check-seg, default 3).
/// E.g. `SEGD_CAMPAIGN_SERIES=200 SEGD_CAMPAIGN_KILLS=200 swift test --skip-build --filter CrashCampaign`.
@Suite(.serialized) struct CrashCampaignTests {
    static func env(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    @Test func seriesSurviveRandomKillsOfTheDaemon() async throws { try await offPool {
        let seriesCount = Self.env("SEGD_CAMPAIGN_SERIES", 20)
        let kills = Self.env("SEGD_CAMPAIGN_KILLS", 5)
        let maxDelay = Double(Self.env("SEGD_CAMPAIGN_MAX_DELAY", 20))
        let seed = ProcessInfo.processInfo.environment["SEGD_CAMPAIGN_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash campaign: \(seriesCount) series, \(kills) kills, seed \(seed) (SEGD_CAMPAIGN_SEED=\(seed) repeats it)")
        var rng = SplitMix64(seed: seed)
        let started = Date()

        let d = try DaemonHarness(processing: "workers = 2\nretention = \"archive\"", retry: "maxAttempts = 5",
                                  ingest: "rescanSeconds = 10", quietSeconds: 3)
        defer { if ProcessInfo.processInfo.environment["SEGD_CAMPAIGN_KEEP"] == nil { d.remove() } else { print("kept \(d.root.path)") } }
        let corpus = try CampaignCorpus(count: seriesCount, in: d.root.appendingPathComponent("corpus"))
        print("prepared \(corpus.series.count) series, \(corpus.hashes.count) files")
        try d.start()

        // Drop every series (all its files first in a staging folder on the same file system, then the folder
        // renamed into the watch folder) while the killer runs.
        let staging = d.root.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let dropper = Thread {
            for (i, series) in corpus.series.enumerated() {
                let stage = staging.appendingPathComponent("s\(i)")
                try? FileManager.default.copyItem(at: series.folder, to: stage)
                rename(stage.path, d.watch.appendingPathComponent("s\(i)").path)
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        dropper.start()

        var survived = 0
        var starts = 1
        for k in 1...max(kills, 1) where kills > 0 {
            // From the moment the daemon is up (it logs "segd started"; a debug build takes seconds to start).
            try d.waitUntil("the daemon is up", timeout: 60) {
                d.logText.components(separatedBy: "segd started").count - 1 >= starts
            }
            let delay = 0.2 + rng.unit() * (maxDelay - 0.2)
            Thread.sleep(forTimeInterval: delay)
            let status = d.stop(SIGKILL)
            #expect(status == SIGKILL, "kill \(k): the daemon was running (exit \(status))")
            let states = (try? d.jobs().map(\.state.rawValue)) ?? []
            print(String(format: "kill %d after %.2f s: %d jobs (%d done, %d running), %d files in the drop folder",
                         k, delay, states.count, states.filter { $0 == "done" }.count,
                         states.filter { $0 == "running" }.count, d.files(in: d.watch).count))
            try d.start()
            starts += 1
            survived += 1
        }
        while !dropper.isFinished { Thread.sleep(forTimeInterval: 0.2) }

        try d.waitUntil("every series has settled", timeout: Double(120 + seriesCount * 20)) {
            let jobs = try d.jobs()
            let final = Set(jobs.filter { $0.state.isFinal }.map(\.seriesUID))
            return jobs.allSatisfy { $0.state.isFinal } && corpus.series.allSatisfy { final.contains($0.uid) }
                && d.files(in: d.watch).isEmpty
        }
        let settled = Date().timeIntervalSince(started)
        #expect(d.isRunning)
        #expect(d.stop() == 0)

        // Outcomes per series.
        let jobs = try d.jobs()
        var segsOut = 0, duplicates = 0, done = 0, failed = 0, reruns = 0, emptyCancelled = 0
        var checked: [(seg: String, source: URL)] = []
        let outputs = d.files(in: d.output)
        #expect(!outputs.contains { $0.contains(".segd-tmp") }, "partial outputs left: \(outputs.filter { $0.contains(".segd-tmp") })")
        for series in corpus.series {
            let mine = jobs.filter { $0.seriesUID == series.uid }
            reruns += mine.filter { $0.rerunOf != nil }.count
            emptyCancelled += mine.filter { $0.state == .cancelled && $0.files == 0 }.count
            let doneJobs = mine.filter { $0.state == .done }
            #expect(doneJobs.count <= 1, "series \(series.name): \(doneJobs.count) done jobs")
            if doneJobs.count > 1 { duplicates += doneJobs.count - 1 }
            for job in mine where job.state == .failed || job.state == .quarantined {
                #expect(!(job.errorMessage ?? "").isEmpty, "job \(job.id) (\(job.state)) has a reason")
            }
            guard let job = doneJobs.first else { failed += 1; continue }
            done += 1
            #expect(job.files == series.files, "series \(series.name): \(job.files) files in the job, \(series.files) dropped")
            let segs = outputs.filter { $0.contains(job.id) && $0.hasSuffix(".seg.dcm") }
            #expect(segs.count == 1, "job \(job.id): \(segs)")
            segsOut += segs.count
            if segs.count > 1 { duplicates += segs.count - 1 }
            if let seg = segs.first { checked.append((d.output.appendingPathComponent(seg).path, series.folder)) }
        }
        // Every SEG in the output folder belongs to a done job.
        let doneIDs = Set(jobs.filter { $0.state == .done }.map(\.id))
        let orphans = outputs.filter { name in name.hasSuffix(".seg.dcm") && !doneIDs.contains { name.contains($0) } }
        #expect(orphans.isEmpty, "SEGs of jobs that are not done: \(orphans)")
        #expect(failed == 0, "\(failed) series did not end done (see the expectations above)")
        #expect(reruns == 0, "each series is dropped at once: a re-run means one was split into two batches")

        // SEG validity.
        let checkAll = ProcessInfo.processInfo.environment["SEGD_CAMPAIGN_CHECK"] ?? "all"
        let toCheck = checkAll == "all" ? checked : Array(checked.prefix(Int(checkAll) ?? checked.count))
        let segd = DaemonHarness.buildFolder.appendingPathComponent("segd").path
        var valid = 0
        for (seg, source) in toCheck {
            let (status, text) = try DaemonHarness.run(segd, ["seg", "check", seg, source.path])
            #expect(status == 0, "segd seg check \(seg): \(text)")
            if status == 0 { valid += 1 }
        }
        let checkSEG = DaemonHarness.shared.appendingPathComponent("tools/check-seg").path
        #expect(FileManager.default.fileExists(atPath: checkSEG), "the shared validator is missing: \(checkSEG)")
        // check-seg judges SEGs of single-frame sources only (on the enhanced multi-frame CT it stops with a
        // TypeError of its own), so the sample is taken from the copies of the single-frame series.
        let singleFrame = toCheck.filter { $0.source.lastPathComponent.hasPrefix("s") && FileManager.default
            .fileExists(atPath: $0.source.appendingPathComponent("IMG0001.dcm").path) }
        for (seg, source) in singleFrame.prefix(Self.env("SEGD_CAMPAIGN_CHECK_SEG", 3)) {
            let (_, verdict) = try DaemonHarness.run(checkSEG, [seg, source.path])
            #expect(verdict.hasPrefix("SEG OK"), "check-seg \(seg): \(verdict)")
        }

        // No input lost: every dropped file's bytes are in the spool, archive or quarantine.
        var found: [String: Int] = [:]
        for folder in [d.spool, d.root.appendingPathComponent("archive"), d.quarantine] {
            for name in d.files(in: folder) where !(name as NSString).lastPathComponent.hasPrefix(".") {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                found[SHA256.hash(data), default: 0] += 1
            }
        }
        let lost = corpus.hashes.filter { found[$0.key] == nil }
        #expect(lost.isEmpty, "lost inputs: \(lost.values.sorted())")
        let copies = corpus.hashes.keys.filter { (found[$0] ?? 0) > 1 }.count

        print("""
            crash campaign (seed \(seed)): series in \(seriesCount), files in \(corpus.hashes.count), \
            SEGs out \(segsOut) (\(valid)/\(toCheck.count) checked valid), done \(done), not done \(failed), \
            duplicates \(duplicates), re-run jobs \(reruns), jobs cancelled before their first file \(emptyCancelled), lost \(lost.count), inputs kept twice \(copies), \
            kills survived \(survived), \(String(format: "%.0f", settled)) s
            """)
    }
    }
}

/// N distinct series made from the small test series by rewriting their UIDs with dcmodify.
struct CampaignCorpus {
    struct Series {
        var name: String
        var uid: String
        var folder: URL
        var files: Int
    }

    var series: [Series] = []
    /// SHA-256 of every file → "series/file".
    var hashes: [String: String] = [:]

    static let sources = [DaemonTests.smallCT, DaemonFaultTests.enhancedCT]

    init(count: Int, in root: URL, sources: [URL] = CampaignCorpus.sources) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let base = "1.2.826.0.1.3680043.8.498.\(UInt32.random(in: 1...UInt32.max))"
        for i in 0..<count {
            let source = sources[i % sources.count]
            let folder = root.appendingPathComponent("s\(i)")
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            let uid = "\(base).\(i + 1)"
            let names = try fm.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".dcm") }.sorted()
            for (j, name) in names.enumerated() {
                let target = folder.appendingPathComponent(name)
                try fm.copyItem(at: source.appendingPathComponent(name), to: target)
                let (status, text) = try DaemonHarness.run("/usr/bin/dcmodify", [
                    "-nb", "-m", "(0020,000e)=\(uid)", "-m", "(0008,0018)=\(uid).\(j + 1)", target.path,
                ])
                guard status == 0 else { throw CampaignError.dcmodify(text) }
                hashes[SHA256.hash(try Data(contentsOf: target))] = "s\(i)/\(name)"
            }
            series.append(Series(name: "s\(i)", uid: uid, folder: folder, files: names.count))
        }
    }

    enum CampaignError: Error { case dcmodify(String) }
}
