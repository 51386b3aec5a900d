import Foundation
import SegDaemon
import TestSupport
import Testing

extension HostileInputTests {
    /// The file that crashed DCMTK's RLE decoder (SIGSEGV in `DcmRLEDecoder::decompress`, found by the fuzz run;
    /// Tests/Fixtures/fuzz/PROVENANCE.md), given a CT header so that it passes series assembly and reaches the
    /// worker's pixel decode. segd decodes RLE itself now: the job is quarantined with the decoder's reason and the
    /// file, unchanged, beside it; the daemon stays up and the next series is done. (A worker that does crash
    /// fails only its job: `DaemonTests.aKilledWorkerFailsOnlyItsJobAndTheNextJobSucceeds`.)
    @Test func theFileThatCrashedDCMTKsRLEDecoderIsQuarantinedWithTheReason() async throws { try await offPool {
        let file = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/fuzz/rle_segment_offset_segv_ct.dcm")
        let bytes = try Data(contentsOf: file)
        let d = try Hostile.harness()
        defer { d.remove() }
        try d.start()
        let stage = d.root.appendingPathComponent("stage/rle")
        try FileManager.default.createDirectory(at: stage, withIntermediateDirectories: true)
        try bytes.write(to: stage.appendingPathComponent("I1.dcm"))
        #expect(rename(stage.path, d.watch.appendingPathComponent("rle").path) == 0)
        try d.waitUntil("the series' job ends", timeout: 120) {
            try d.jobs().first.map { $0.state.isFinal } ?? false
        }
        let job = try #require(try d.jobs().first)
        #expect(job.state == .quarantined, "\(job.state): \(job.errorMessage ?? "")")
        #expect(job.errorMessage?.contains("RLE segment 1 has an impossible offset") == true, "\(job.errorMessage ?? "")")
        let stages = try d.store().stages(job.id).map(\.stage)
        #expect(!stages.contains("inference"), "refused at decoding, before inference: \(stages)")
        let kept = d.quarantine.appendingPathComponent(job.id)
        #expect(FileManager.default.fileExists(atPath: kept.appendingPathComponent("reason.txt").path))
        let keptFiles = d.files(in: kept).filter { $0.hasSuffix(".dcm") }
        #expect(keptFiles.count == 1, "the input is kept: \(keptFiles)")
        if let name = keptFiles.first {
            #expect(FileManager.default.contents(atPath: kept.appendingPathComponent(name).path) == bytes, "unchanged")
        }
        print("hostile/rle-offset: job \(job.id) \(job.state); reason: \(job.errorMessage ?? "")")
        #expect(d.isRunning, "the daemon stays up")
        try d.drop(DaemonTests.smallCT, as: "small", pause: 0, only: DaemonTests.dicomOnly)
        try d.waitUntil("the next series is done", timeout: 180) { try d.jobs().contains { $0.state == .done } }
        #expect(d.stop() == 0, "SIGTERM is a clean exit")
    }
    }
}
