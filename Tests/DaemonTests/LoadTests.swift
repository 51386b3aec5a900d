import Foundation
import SegDaemon
import TestSupport
import Testing

/// Load (issue 10, part 6): N small real series dropped at once. All complete with one SEG each, the daemon's
/// resident memory stays under a stated bound, and `segctl status` latency is measured all along (end to end,
/// a new segctl process each time) and reported; timing is reported, not asserted.
/// `SEGD_LOAD_SERIES` (default 20 in CI; 200 on demand), `SEGD_LOAD_RSS_MIB` (the bound, default 150).
@Suite(.serialized) struct LoadTests {
    @Test func smallSeriesDroppedAtOnceAllCompleteWithBoundedMemory() async throws { try await offPool {
        let env = ProcessInfo.processInfo.environment
        let count = env["SEGD_LOAD_SERIES"].flatMap { Int($0) } ?? 20
        let boundMiB = env["SEGD_LOAD_RSS_MIB"].flatMap { Int($0) } ?? 150
        let d = try DaemonHarness(processing: "workers = 2", quietSeconds: 2)
        defer { d.remove() }
        let corpus = try CampaignCorpus(count: count, in: d.root.appendingPathComponent("corpus"), sources: [DaemonTests.smallCT])
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let idle = Hostile.figures(pid: pid)

        // All series staged on the same file system, then renamed into the watch folder back to back.
        let staging = d.root.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        for (i, s) in corpus.series.enumerated() {
            try FileManager.default.copyItem(at: s.folder, to: staging.appendingPathComponent("s\(i)"))
        }
        let started = Date()
        for i in corpus.series.indices {
            #expect(rename(staging.appendingPathComponent("s\(i)").path, d.watch.appendingPathComponent("s\(i)").path) == 0)
        }

        // Poll status with segctl and sample the daemon's RSS until every series is done.
        let segctl = SegctlRunner(socket: d.socket)
        var latencies: [Double] = []
        var failures: [String] = []
        var peakSampled = 0
        let deadline = Date().addingTimeInterval(Double(120 + count * 15))
        var done = 0
        while Date() < deadline {
            let t0 = Date()
            let r = try segctl(["status"], json: true)
            latencies.append(Date().timeIntervalSince(t0))
            if r.status != 0 { failures.append(r.description) }
            peakSampled = max(peakSampled, Hostile.figures(pid: pid).rss)
            done = try d.jobs().filter { $0.state == .done }.count
            if done >= count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let seconds = Date().timeIntervalSince(started)
        let end = Hostile.figures(pid: pid)
        #expect(d.isRunning)
        #expect(failures.isEmpty, "segctl status failed \(failures.count) times: \(failures.first ?? "")")

        let jobs = try d.jobs()
        #expect(jobs.count == count && jobs.allSatisfy { $0.state == .done },
                "jobs: \(Dictionary(grouping: jobs, by: \.state.rawValue).mapValues(\.count))")
        let segs = d.files(in: d.output).filter { $0.hasSuffix(".seg.dcm") }
        #expect(segs.count == count, "\(segs.count) SEGs for \(count) series")
        for s in corpus.series { #expect(jobs.filter { $0.seriesUID == s.uid }.count == 1, "series \(s.name): one job") }
        #expect(end.peakRSS < boundMiB << 20, "the daemon's peak RSS \(Hostile.mib(end.peakRSS)) exceeds the \(boundMiB) MiB bound")

        let sorted = latencies.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        print(String(format: "load: %d series dropped at once, %d done in %.0f s (%.2f series/s); segctl status %d calls, p50 %.0f ms, p99 %.0f ms, max %.0f ms; daemon RSS idle %@, peak sampled %@, peak (VmHWM) %@ (bound %d MiB)",
                     count, done, seconds, Double(done) / seconds, sorted.count, pct(0.5), pct(0.99), (sorted.last ?? 0) * 1000,
                     Hostile.mib(idle.rss), Hostile.mib(peakSampled), Hostile.mib(end.peakRSS), boundMiB))
    }
    }
}

/// The fuzzed control frames of `ControlFrameFuzzTests` (SegDaemonTests), sent to a real `segd run` over its
/// socket while it works: it answers each or closes, never 500, and stays up and serving
/// (`SEGD_CONTROL_FUZZ_FRAMES`, default 500 here; `SEGD_CONTROL_FUZZ_SEED`).
@Suite(.serialized) struct ControlSocketFuzzTests {
    @Test func fuzzedFramesNeverCrashTheDaemon() async throws { try await offPool {
        let env = ProcessInfo.processInfo.environment
        let count = env["SEGD_CONTROL_FUZZ_FRAMES"].flatMap { Int($0) } ?? 500
        let seed = env["SEGD_CONTROL_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let d = try DaemonHarness()
        defer { d.remove() }
        try d.start()
        try d.drop(DaemonTests.smallCT, as: "ct", pause: 0)
        var fuzzer = FrameFuzzer(seed: seed)
        let seeds = FrameFuzzer.seeds(folder: d.root.path, rulesTest: false)
        var answered = 0, closed = 0
        for i in 0..<count {
            let frame = fuzzer.frame(from: seeds)
            let reply = try SocketExchange.send(frame, to: d.socket)
            if reply.isEmpty { closed += 1 } else { answered += 1 }
            #expect(reply.isEmpty || reply.hasPrefix("HTTP/1.1 "), "seed \(seed), frame \(i): \(reply.prefix(80).debugDescription)")
            #expect(!reply.hasPrefix("HTTP/1.1 500"), "seed \(seed), frame \(i): \(reply.prefix(300))")
            if !d.isRunning { Issue.record("the daemon died at frame \(i) (seed \(seed))"); break }
        }
        #expect(d.isRunning)
        let r = try SegctlRunner(socket: d.socket)(["status"], json: true)
        #expect(r.status == 0, "\(r)")
        // The daemon still does its work: resume (a fuzzed pause may have stopped ingest) and the series completes.
        _ = try SegctlRunner(socket: d.socket)(["resume"])
        try d.waitUntil("the series dropped during the fuzzing is done", timeout: 180) {
            try d.jobs().contains { $0.state == .done }
        }
        print("control fuzz (daemon): \(count) frames, seed \(seed), \(answered) answered, \(closed) closed; daemon up, job done")
    }
    }
}
