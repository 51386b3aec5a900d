import Foundation
import NN
import PluginTestKit
import SegModelKit
import Testing
@testable import UNetPlugin

/// Errors for bad inputs, kwargs and weights, and the C ABI of the built plugin library.
@Suite struct UNetBadInputTests {
    let name = "unet3d_small"
    var dir: URL { Fixtures.folder(name) }

    func network() throws -> any SegmentationNetwork {
        try UNetPlugin.makeNetwork(try Fixtures.description(dir), weights: try Fixtures.weights(dir))
    }

    /// The fixture's description with one kwarg replaced.
    func description(_ key: String, _ value: JSONValue) throws -> NetworkDescription {
        try Fixtures.description(dir, setting: key, to: value)
    }

    /// The fixture weights as an in-memory store, edited by `edit`.
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

    @Test func sizeNotDivisible() throws {
        let net = try network()
        expectError("multiples of 4") { _ = try net.forward(Tensor(shape: [1, 1, 30, 32, 32], repeating: 0)) }
    }

    @Test func nanInput() throws {
        let net = try network()
        var x = Tensor(shape: [1, 1, 32, 32, 32], repeating: 0)
        x.withUnsafeMutableBufferPointer { $0[1234] = .nan }
        expectError("NaN") { _ = try net.forward(x) }
    }

    @Test func unknownKwarg() throws {
        let d = try description("upsample_mode", .string("x"))
        expectError("upsample_mode") { _ = try UNetPlugin.makeNetwork(d, weights: try Fixtures.weights(dir)) }
    }

    @Test func unsupportedKwargValues() throws {
        for (key, value, fragment) in [("dropout", JSONValue.number(0.2), "dropout"),
                                       ("norm", .string("group"), "group"),
                                       ("act", .string("swish"), "swish"),
                                       ("adn_ordering", .string("ADN"), "adn_ordering")] {
            let d = try description(key, value)
            expectError(fragment) { _ = try UNetPlugin.makeNetwork(d, weights: try Fixtures.weights(dir)) }
        }
    }

    @Test func missingWeight() throws {
        let key = "model.1.submodule.0.residual.weight"
        let w = try weights { $0[key] = nil }
        expectError(key) { _ = try UNetPlugin.makeNetwork(try Fixtures.description(dir), weights: w) }
    }

    @Test func extraWeight() throws {
        let w = try weights { $0["model.9.extra"] = Tensor(shape: [3], repeating: 1) }
        expectError("model.9.extra") { _ = try UNetPlugin.makeNetwork(try Fixtures.description(dir), weights: w) }
    }

    @Test func misshapedWeight() throws {
        let key = "model.0.conv.unit0.conv.weight"
        let w = try weights { $0[key] = Tensor(shape: [4, 1, 3, 3], repeating: 0) }
        expectError(key) { _ = try UNetPlugin.makeNetwork(try Fixtures.description(dir), weights: w) }
    }

    /// Loads the built libSegdPluginUNet.so, builds both classes through the C ABI and checks parity.
    @Test func throughCABI() throws {
        let path = Fixtures.buildFolder.appendingPathComponent("libSegdPluginUNet.so").path
        let plugin = try LoadedPlugin.open(path: path)
        #expect(plugin.name == "unet")
        #expect(plugin.classes == ["monai.networks.nets.UNet", "monai.networks.nets.BasicUNet"])
        for fixture in ["unet2d_small", "basicunet3d_small"] {
            let d = Fixtures.folder(fixture)
            let net = try PluginNetwork(plugin: plugin, description: try Fixtures.description(d),
                                        weightsPath: d.appendingPathComponent("model.safetensors").path, threads: 2)
            let x = try Fixtures.tensor(d, "input.safetensors", key: "x")
            let y = try net.forward(x)
            let ref = try Fixtures.tensor(d, "reference.safetensors", key: "y")
            #expect(y.shape == ref.shape)
            #expect(maxAbsDiff(y, ref) <= 1e-4 * max(1, maxAbs(ref)))
            // Errors cross the boundary as messages.
            do {
                var shape = x.shape
                shape[1] = 3
                _ = try net.forward(Tensor(shape: shape, repeating: 0))
                Issue.record("a 3-channel input should fail")
            } catch {
                #expect("\(error)".contains("input channel"))
            }
        }
    }
}
