import Foundation
import TestSupport
import Testing

/// `segd process` end to end: a real series, a real bundle (random-weight UTNet from the parity fixtures), the
/// plugin through its C ABI, the whole pipeline, and the outputs.
@Suite struct ProcessTests {
    /// Builds a bundle folder around the utnet_small parity weights.
    static func makeBundle(in dir: URL) throws -> URL {
        let bundle = dir.appendingPathComponent("utnet-test")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        let weights = CLI.repoRoot.appendingPathComponent("Plugins/UTNet/Tests/Fixtures/models/utnet_small/model.safetensors")
        try FileManager.default.copyItem(at: weights, to: bundle.appendingPathComponent("model.safetensors"))
        let sha = try sha256(of: bundle.appendingPathComponent("model.safetensors"))
        let manifest = """
            {"id": "utnet-test", "version": "0.0.1", "description": "random-weight UTNet for tests",
             "intendedUse": "tests only; not for clinical use",
             "network": {"class": "yhygao/UTNet:model.utnet.UTNet",
                         "kwargs": {"base_chan": 8, "num_classes": 4, "reduce_size": 4, "block_list": "1234",
                                    "num_blocks": [1, 1, 1, 1], "in_chan": 1, "num_heads": [4, 4, 4, 4],
                                    "projection": "interp", "attn_drop": 0.1, "proj_drop": 0.1, "rel_pos": true,
                                    "aux_loss": false, "maxpool": true}},
             "weights": {"file": "model.safetensors", "sha256": "\(sha)"},
             "input": {"modality": "CT", "minimumSlices": 1},
             "spatialDims": 2, "plane": "axial", "orientation": "RAS", "spacing": null,
             "intensity": [{"name": "ScaleIntensityRange", "a_min": -1000, "a_max": 1000, "b_min": 0, "b_max": 1, "clip": true}],
             "inference": {"roi_size": [64, 64], "overlap": 0.25, "mode": "gaussian", "sigma_scale": 0.125,
                           "sw_batch_size": 1, "padding_mode": "constant", "cval": 0},
             "output": {"activation": "softmax", "decision": "argmax"},
             "postprocessing": {},
             "labels": [
               {"index": 1, "name": "One", "category": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"},
                "type": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}, "color": [255, 0, 0]},
               {"index": 2, "name": "Two", "category": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"},
                "type": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}, "color": [0, 255, 0]},
               {"index": 3, "name": "Three", "category": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"},
                "type": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}, "color": [0, 0, 255]}]}
            """
        try Data(manifest.utf8).write(to: bundle.appendingPathComponent("model.json"))
        return bundle
    }

    static func sha256(of url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [url.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

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
