import Foundation

/// A model bundle around the random-weight UTNet of the UTNet plugin's parity fixtures (4 classes, 2-D axial,
/// 64×64 windows). Real network, real plugin, meaningless labels: enough to drive `segd process` and the daemon
/// end to end. Shared by the CLI and daemon tests.
public enum TestBundle {
    /// Writes the bundle `models/id` and returns its folder. `spacing` (mm, e.g. "[0.07, 0.07, 0]") resamples the
    /// series first, which makes a small series many windows of work (a job slow enough to be killed
    /// mid-inference). `networkClass` names the plugin class (the fault tests use the faulty test plugin's classes).
    @discardableResult
    public static func make(in models: URL, id: String = "utnet-test", spacing: String = "null",
                            networkClass: String = "yhygao/UTNet:model.utnet.UTNet") throws -> URL {
        let bundle = models.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        let weights = TestPaths.repoRoot
            .appendingPathComponent("Plugins/UTNet/Tests/Fixtures/models/utnet_small/model.safetensors")
        try FileManager.default.copyItem(at: weights, to: bundle.appendingPathComponent("model.safetensors"))
        let sum = try sha256(of: bundle.appendingPathComponent("model.safetensors"))
        let colors = [1: "255, 0, 0", 2: "0, 255, 0", 3: "0, 0, 255"]
        let label = { (i: Int, name: String) in
            """
            {"index": \(i), "name": "\(name)", "category": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"},
             "type": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}, "color": [\(colors[i]!)]}
            """
        }
        let manifest = """
            {"id": "\(id)", "version": "0.0.1", "description": "random-weight UTNet for tests",
             "intendedUse": "tests only; not for clinical use",
             "network": {"class": "\(networkClass)",
                         "kwargs": {"base_chan": 8, "num_classes": 4, "reduce_size": 4, "block_list": "1234",
                                    "num_blocks": [1, 1, 1, 1], "in_chan": 1, "num_heads": [4, 4, 4, 4],
                                    "projection": "interp", "attn_drop": 0.1, "proj_drop": 0.1, "rel_pos": true,
                                    "aux_loss": false, "maxpool": true}},
             "weights": {"file": "model.safetensors", "sha256": "\(sum)"},
             "input": {"modality": "CT", "minimumSlices": 1},
             "spatialDims": 2, "plane": "axial", "orientation": "RAS", "spacing": \(spacing),
             "intensity": [{"name": "ScaleIntensityRange", "a_min": -1000, "a_max": 1000, "b_min": 0, "b_max": 1, "clip": true}],
             "inference": {"roi_size": [64, 64], "overlap": 0.25, "mode": "gaussian", "sigma_scale": 0.125,
                           "sw_batch_size": 1, "padding_mode": "constant", "cval": 0},
             "output": {"activation": "softmax", "decision": "argmax"},
             "postprocessing": {},
             "labels": [\(label(1, "One")), \(label(2, "Two")), \(label(3, "Three"))]}
            """
        try Data(manifest.utf8).write(to: bundle.appendingPathComponent("model.json"))
        return bundle
    }

    /// The file's sha256 as 64 hex digits (by coreutils' sha256sum, independent of segd's own hashing).
    public static func sha256(of url: URL) throws -> String {
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
}
