import Foundation
import SegDaemon
import TestSupport
import Testing

extension HostileInputTests {
    /// A 2 GiB non-DICOM file (sparse) is quarantined whole, at once, without the daemon reading it or growing.
    @Test func aTwoGigabyteNonDICOMFileIsQuarantinedWithoutReadingIt() async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly)
        defer { d.remove() }
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let size: off_t = 2 << 30
        let before = Hostile.figures(pid: pid)
        // Made beside the drop folder and moved in complete, as a copy tool would.
        let staged = d.root.appendingPathComponent("big.img")
        let fd = open(staged.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        // A few bytes of "content" at both ends; the rest is a hole.
        _ = "MZ-not-dicom".withCString { write(fd, $0, 12) }
        #expect(ftruncate(fd, size) == 0)
        close(fd)
        let started = Date()
        #expect(rename(staged.path, d.watch.appendingPathComponent("big.img").path) == 0)
        try d.waitUntil("the big file is quarantined", timeout: 60) { try d.jobs().first?.state == .quarantined }
        let seconds = Date().timeIntervalSince(started)
        let after = Hostile.figures(pid: pid)
        let job = try #require(try d.jobs().first)
        #expect(job.errorMessage?.contains("not a DICOM Part 10 file") == true, "\(job.errorMessage ?? "")")
        var st = stat()
        #expect(stat(d.quarantine.appendingPathComponent(job.id).appendingPathComponent("big.img").path, &st) == 0 && st.st_size == size,
                "the file is in quarantine, whole")
        let read = after.bytesRead - before.bytesRead
        #expect(read < 64 << 20, "the daemon read \(Hostile.mib(read)) to judge a 2 GiB file")
        #expect(after.peakRSS - before.peakRSS < 64 << 20, "peak RSS grew from \(Hostile.mib(before.peakRSS)) to \(Hostile.mib(after.peakRSS))")
        print("hostile/2GiB: quarantined in \(String(format: "%.2f", seconds)) s (incl. the 2 s quiet-free pick-up); daemon read \(Hostile.mib(read)); RSS \(Hostile.mib(after.rss)), peak \(Hostile.mib(before.peakRSS)) → \(Hostile.mib(after.peakRSS))")
        #expect(d.isRunning)
    }
    }

    /// The same with a valid DICOM preamble and file meta group, then 2 GiB of zeros. DCMTK would parse the zeros
    /// as 8-byte elements (0000,0000) to the end of the file (~0.13 s of CPU per MiB here: most of an hour); the
    /// shim's bounded header read stops at 1 MiB of zeros, so the file is quarantined with that reason, whole,
    /// and the daemon keeps answering.
    @Test func aTwoGigabyteFileWithADICOMHeaderAndZerosIsQuarantinedQuickly() async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly)
        defer { d.remove() }
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let before = Hostile.figures(pid: pid)
        let template = [UInt8](try Data(contentsOf: Hostile.slice))
        let metaEnd = 144 + (Int(template[140]) | Int(template[141]) << 8 | Int(template[142]) << 16 | Int(template[143]) << 24)
        let staged = d.root.appendingPathComponent("big.dcm")
        let size: off_t = 2 << 30
        try Data(template[0..<metaEnd]).write(to: staged)
        #expect(truncate(staged.path, size) == 0)
        let started = Date()
        #expect(rename(staged.path, d.watch.appendingPathComponent("big.dcm").path) == 0)
        try d.waitUntil("the big file is quarantined", timeout: 60) { try d.jobs().first?.state == .quarantined }
        let seconds = Date().timeIntervalSince(started)
        let after = Hostile.figures(pid: pid)
        let job = try #require(try d.jobs().first)
        #expect(job.errorMessage?.contains("of zero bytes from offset \(metaEnd)") == true, "\(job.errorMessage ?? "")")
        var st = stat()
        #expect(stat(d.quarantine.appendingPathComponent(job.id).appendingPathComponent("big.dcm").path, &st) == 0 && st.st_size == size,
                "the file is in quarantine, whole")
        let read = after.bytesRead - before.bytesRead
        #expect(read < 64 << 20, "the daemon read \(Hostile.mib(read)) to judge a 2 GiB file")
        let (status, _, _) = try Hostile.segctl(d, ["status"])
        #expect(status == 0, "the daemon still answers")
        #expect(d.isRunning)
        print("hostile/2GiB-DICOM-zeros: quarantined in \(String(format: "%.2f", seconds)) s (incl. the quiet-time pick-up); daemon read \(Hostile.mib(read))")
    }
    }

    /// `ingest.maxHeaderSize` reaches the header reader: a file of 2 MiB of small, valid, never-ending elements is
    /// quarantined under a 1 MiB limit with that reason (the 64 MiB default would accept it) — set before the start,
    /// or set afterwards and applied by `systemctl reload` (SIGHUP).
    @Test(arguments: [false, true])
    func theConfiguredHeaderLimitQuarantinesAnEndlessHeader(byReload: Bool) async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly)
        defer { d.remove() }
        let limited = d.configText.replacingOccurrences(of: "rescanSeconds = 0", with: "rescanSeconds = 0\nmaxHeaderSize = \"1MiB\"")
        if !byReload { try Data(limited.utf8).write(to: d.configURL) }
        try d.start()
        if byReload {
            try Data(limited.utf8).write(to: d.configURL)
            let pid = try #require(d.process?.processIdentifier)
            kill(pid, SIGHUP)
            try d.waitUntil("the configuration is reloaded", timeout: 30) { d.logText.contains("configuration reloaded") }
        }
        let template = [UInt8](try Data(contentsOf: Hostile.slice))
        let metaEnd = 144 + (Int(template[140]) | Int(template[141]) << 8 | Int(template[142]) << 16 | Int(template[143]) << 24)
        // (0009,1011) implicit VR, length 2, "AB", repeated: a private element without end.
        let element: [UInt8] = [0x09, 0x00, 0x11, 0x10, 2, 0, 0, 0, 0x41, 0x42]
        var bytes = Array(template[0..<metaEnd])
        for _ in 0..<((2 << 20) / element.count) { bytes += element }
        let staged = d.root.appendingPathComponent("endless.dcm")
        try Data(bytes).write(to: staged)
        #expect(rename(staged.path, d.watch.appendingPathComponent("endless.dcm").path) == 0)
        try d.waitUntil("the file is quarantined", timeout: 60) { try d.jobs().first?.state == .quarantined }
        let job = try #require(try d.jobs().first)
        #expect(job.errorMessage?.contains("does not end within 1.0 MiB read") == true, "\(job.errorMessage ?? "")")
        #expect(d.isRunning)
    }
    }

    /// A flood of tiny junk files (`SEGD_HOSTILE_FLOOD`: 500 by default in CI; 100,000 on demand: 282 s here, at
    /// 355 files/s; each quarantined file costs three synced writes) is
    /// drained into quarantine, one job per file, every file kept; the daemon stays up and responsive, and its memory bounded.
    @Test func aFloodOfTinyFilesIsDrained() async throws { try await offPool {
        let count = ProcessInfo.processInfo.environment["SEGD_HOSTILE_FLOOD"].flatMap { Int($0) } ?? 500
        let d = try Hostile.harness(rules: Hostile.mrOnly)
        defer { d.remove() }
        try d.start()
        let pid = try #require(d.process?.processIdentifier)
        let flood = d.watch.appendingPathComponent("flood")
        try FileManager.default.createDirectory(at: flood, withIntermediateDirectories: true)
        let started = Date()
        for i in 0..<count {
            try Hostile.writeFile(Array(flood.path.utf8) + [47] + Array(String(format: "f%06d", i).utf8), contents: Data("tiny \(i)\n".utf8))
        }
        let written = Date().timeIntervalSince(started)
        var statusWorst = 0.0
        var peak = 0
        try d.waitUntil("the flood is drained", timeout: Double(max(120, count / 20))) {
            // segctl answers while the daemon drains.
            let asked = Date()
            let (status, _, _) = try Hostile.segctl(d, ["status"])
            statusWorst = max(statusWorst, Date().timeIntervalSince(asked))
            #expect(status == 0)
            peak = max(peak, Hostile.figures(pid: pid).rss)
            Thread.sleep(forTimeInterval: 1)
            return (try? FileManager.default.contentsOfDirectory(atPath: flood.path).isEmpty) ?? false
        }
        let drained = Date().timeIntervalSince(started)
        // Every file became a quarantined one-file job with its bytes intact.
        let jobs = try d.store().jobs(JobFilter(limit: count + 10))
        #expect(jobs.count == count && jobs.allSatisfy { $0.state == .quarantined && $0.files == 1 })
        let folders = try FileManager.default.contentsOfDirectory(atPath: d.quarantine.path)
        #expect(folders.count == count)
        for job in jobs.enumerated().filter({ $0.offset % max(1, count / 50) == 0 }).map(\.element) {
            let folder = d.quarantine.appendingPathComponent(job.id)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("f") }
            let name = try #require(names.first, "the file of \(job.id)")
            let index = try #require(Int(name.dropFirst()))
            #expect(names.count == 1 && FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) == Data("tiny \(index)\n".utf8))
        }
        let figures = Hostile.figures(pid: pid)
        print("hostile/flood: \(count) files written in \(String(format: "%.1f", written)) s, drained in \(String(format: "%.1f", drained)) s (\(String(format: "%.0f", Double(count) / drained)) files/s); slowest segctl status \(String(format: "%.2f", statusWorst)) s; daemon RSS max seen \(Hostile.mib(peak)), peak \(Hostile.mib(figures.peakRSS))")
        #expect(figures.peakRSS < 512 << 20, "peak RSS \(Hostile.mib(figures.peakRSS))")
        #expect(d.isRunning)
    }
    }
}
