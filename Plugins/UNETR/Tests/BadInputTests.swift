import Foundation
import NN
import PluginTestKit
import SegModelKit
import Testing
@testable import UNETRPlugin

/// Errors for bad inputs, kwargs and weights, and the C ABI of the built plugin library.
@Suite struct UNETRBadInputTests {
    let name = "unetr_tiny"
    var dir: URL { Fixtures.folder(name) }

    func network() throws -> any SegmentationNetwork {
        try UNETRPlugin.makeNetwork(try Fixtures.description(dir), weights: try Fixtures.weights(dir))
    }

    func description(_ key: String, _ value: JSONValue) throws -> NetworkDescription {
        try Fixtures.description(dir, setting: key, to: value)
    }

    func weights(_ edit: (inout [String: Tensor]) -> Void) throws -> WeightStore {
        try Fixtures.weights(dir, editing: edit)
    }

    @Test func wrongRank() throws {
        let net = try network()
        expectError("5-D input") { _ = try net.forward(Tensor(shape: [1, 1, 32, 32], repeating: 0)) }
    }

    @Test func wrongChannels() throws {
        let net = try network()
        expectError("1 input channel") { _ = try net.forward(Tensor(shape: [1, 2, 32, 32, 32], repeating: 0)) }
    }

    @Test func wrongSpatialSize() throws {
        let net = try network()
        expectError("img_size") { _ = try net.forward(Tensor(shape: [1, 1, 48, 32, 32], repeating: 0)) }
    }

    @Test func nanInput() throws {
        let net = try network()
        var x = Tensor(shape: [1, 1, 32, 32, 32], repeating: 0)
        x.withUnsafeMutableBufferPointer { $0[77] = .infinity }
        expectError("NaN") { _ = try net.forward(x) }
    }

    @Test func badKwargs() throws {
        for (key, value, fragment) in [("pos_embed", JSONValue.string("perceptron"), "pos_embed"),
                                       ("proj_type", .string("perceptron"), "proj_type"),
                                       ("norm_name", .string("batch"), "norm_name"),
                                       ("dropout_rate", .number(0.1), "dropout_rate"),
                                       ("img_size", .array([.number(30), .number(32), .number(32)]), "img_size")] {
            let d = try description(key, value)
            expectError(fragment) { _ = try UNETRPlugin.makeNetwork(d, weights: try Fixtures.weights(dir)) }
        }
    }

    @Test func missingWeight() throws {
        let key = "vit.blocks.7.attn.qkv.weight"
        let w = try weights { $0[key] = nil }
        expectError(key) { _ = try UNETRPlugin.makeNetwork(try Fixtures.description(dir), weights: w) }
    }

    @Test func extraWeight() throws {
        let key = "vit.blocks.0.attn.qkv.bias"
        let w = try weights { $0[key] = Tensor(shape: [96], repeating: 0) }
        expectError(key) { _ = try UNETRPlugin.makeNetwork(try Fixtures.description(dir), weights: w) }
    }

    @Test func throughCABI() throws {
        let path = Fixtures.buildFolder.appendingPathComponent("libSegdPluginUNETR.so").path
        let plugin = try LoadedPlugin.open(path: path)
        #expect(plugin.name == "unetr")
        #expect(plugin.classes == ["monai.networks.nets.UNETR"])
        let net = try PluginNetwork(plugin: plugin, description: try Fixtures.description(dir),
                                    weightsPath: dir.appendingPathComponent("model.safetensors").path, threads: 2)
        let y = try net.forward(try Fixtures.tensor(dir, "input.safetensors", key: "x"))
        let ref = try Fixtures.tensor(dir, "reference.safetensors", key: "y")
        #expect(y.shape == ref.shape)
        #expect(maxAbsDiff(y, ref) <= 1e-4 * max(1, maxAbs(ref)))
    }
}
