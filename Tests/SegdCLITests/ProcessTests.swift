import Foundation
import TestSupport
import Testing

/// `segd process` end to end: a real series, a real bundle (random-weight UTNet from the parity fixtures), the
/// plugin through its C ABI, the whole pipeline, and the outputs.
@Suite struct ProcessTests {
    /// Builds a bundle folder around the utnet_small parity weights.
    static func makeBundle(in dir: URL) throws -> URL { try TestBundle.make(in: dir) }

    @Test func processesARealSeriesWithARealPlugin() async throws { try await offPool {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try Self.makeBundle(in: dir)
        let series = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/seg_ref_dcmqi_23x38x3/source")
        let out = dir.appendingPathComponent("out")
        let r = try CLI.segd(["process", series.path, "--model", bundle.path, "--output", out.path, "--json", "--nrrd"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["model"] as? String == "utnet-test")
        #expect(summary["windows"] as? Int == 3, "one 64×64 window per slice of the 38×23×3 series")
        let labels = try #require(summary["labels"] as? [[String: Any]])
        #expect(labels.map { $0["label"] as? Int } == [1, 2, 3])
        let total = labels.compactMap { $0["voxels"] as? Int }.reduce(0, +)
        #expect(total <= 23 * 38 * 3)
        let stages = try #require(summary["stageSeconds"] as? [String: Double])
        #expect(Set(stages.keys) == ["decode", "preprocess", "inference", "postprocess", "write"])
        let outputs = try #require(summary["outputs"] as? [String: String])
        for key in ["summary", "labelmap", "seg"] {
            let path = try #require(outputs[key])
            #expect(FileManager.default.fileExists(atPath: path), "\(key) missing at \(path)")
        }
        // The SEG is judged by the independent validator (highdicom, dciodvfy, dcmqi, reference checks).
        let seg = try #require(outputs["seg"])
        let check = try CLI.run(CLI.shared.appendingPathComponent("tools/check-seg").path,
                                [seg, series.path, "--expect-segments", "3"])
        #expect(check.stdout.hasPrefix("SEG OK"), "check-seg: \(check.stdout)\(check.stderr)")
        // And read back by segd itself against the source.
        let back = try CLI.segd(["seg", "check", seg, series.path])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        // Progress went to standard error as plain lines (not a terminal).
        #expect(r.stderr.contains("inference: 3/3 windows (100%)"), "\(r.stderr)")
    }
    }

    @Test func badBundleRunsNothingAndSaysWhy() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try Self.makeBundle(in: dir)
        // Corrupt the weights after the manifest recorded their checksum.
        let handle = try FileHandle(forWritingTo: bundle.appendingPathComponent("model.safetensors"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let out = dir.appendingPathComponent("out")
        let series = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/seg_ref_dcmqi_23x38x3/source")
        let r = try CLI.segd(["process", series.path, "--model", bundle.path, "--output", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("sha256"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "no output may be written for a bad bundle")
    }

    @Test func folderWithoutUsableSeriesIsAClearError() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try Self.makeBundle(in: dir)
        let junk = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/not_dicom_mixed_junk")
        let r = try CLI.segd(["process", junk.path, "--model", bundle.path, "--output", dir.appendingPathComponent("o").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no usable series"), "\(r.stderr)")
    }
}
