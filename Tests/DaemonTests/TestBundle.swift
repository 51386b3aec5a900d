import Foundation

/// A model bundle around the random-weight UTNet of the UTNet plugin's parity fixtures (4 classes, 2-D axial,
/// 64×64 windows). Real network, real plugin, meaningless labels: enough to drive the daemon end to end.
enum TestBundle {
    /// `id` names the bundle; `spacing` (mm, e.g. "[0.07, 0.07, 0]") resamples the series first, which makes a
    /// small series many windows of work (a job slow enough to be killed mid-inference).
    /// `networkClass` names the plugin class (the fault tests use the faulty test plugin's classes).
    static func make(in models: URL, id: String = "utnet-test", spacing: String = "null",
                     networkClass: String = "yhygao/UTNet:model.utnet.UTNet") throws {
        let bundle = models.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        let weights = DaemonHarness.repoRoot
            .appendingPathComponent("Plugins/UTNet/Tests/Fixtures/models/utnet_small/model.safetensors")
        try FileManager.default.copyItem(at: weights, to: bundle.appendingPathComponent("model.safetensors"))
        let (_, sum) = try DaemonHarness.run("/usr/bin/sha256sum", [bundle.appendingPathComponent("model.safetensors").path])
        let label = { (i: Int, name: String) in
            """
            {"index": \(i), "name": "\(name)", "category": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"},
             "type": {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}, "color": [\(i * 60), 100, 200]}
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
             "weights": {"file": "model.safetensors", "sha256": "\(sum.prefix(64))"},
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
    }
}
