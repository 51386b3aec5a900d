import Foundation
import NN
import SegModelKit
import Testing
@testable import UTNetPlugin

@Suite struct UTNetBadInputTests {
    let name = "utnet_small"

    func network(_ fixture: String = "utnet_small") throws -> any SegmentationNetwork {
        try UTNetPlugin.makeNetwork(try Fixtures.description(fixture), weights: try WeightStore(path: try Fixtures.weightsPath(fixture)))
    }

    func expectError(_ contains: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error mentioning \(contains)")
        } catch {
            #expect("\(error)".contains(contains), "\(error)")
        }
    }

    @Test func wrongRankChannelsAndNaN() throws {
        let net = try network()
        expectError("rank 5") { _ = try net.forward(Tensor(shape: [1, 1, 4, 64, 64])) }
        expectError("3 channels") { _ = try net.forward(Tensor(shape: [1, 3, 64, 64])) }
        var x = try Fixtures.tensor(name, "input.safetensors", "x")
        x.withUnsafeMutableBufferPointer { $0[100] = .nan }
        expectError("NaN") { _ = try net.forward(x) }
    }

    @Test func spatialConstraintIsDerivedAndExplained() throws {
        // reduce_size 8, attention at levels 1-4: the 1/16 map must be a multiple of 8, so sides multiple of 128.
        let r8 = try network("utnet_small_r8")
        expectError("multiples of 128") { _ = try r8.forward(Tensor(shape: [1, 1, 64, 64])) }
        expectError("level 4") { _ = try r8.forward(Tensor(shape: [1, 1, 64, 64])) }
        expectError("height 8 must also have width 8") { _ = try r8.forward(Tensor(shape: [1, 1, 128, 256])) }
        #expect(try r8.forward(Tensor(shape: [1, 1, 256, 256])).shape == [1, 4, 256, 256])
        // reduce_size 4: multiples of 64; a non-square 64×128 input works.
        let r4 = try network()
        expectError("multiples of 64") { _ = try r4.forward(Tensor(shape: [1, 1, 96, 96])) }
        #expect(try r4.forward(Tensor(shape: [1, 1, 128, 192])).shape == [1, 4, 128, 192])
    }

    @Test func unsupportedKwargsAreRejectedByName() throws {
        let base = try Fixtures.description(name)
        let store = { try WeightStore(path: try Fixtures.weightsPath(self.name)) }
        let cases: [(String, JSONValue, String)] = [
            ("projection", .string("maxpool"), "\"projection\" = \"maxpool\""),
            ("bottleneck", .bool(true), "\"bottleneck\" = true"),
            ("block_list", .string("125"), "\"block_list\" = \"125\""),
            ("num_heads", .array([.number(4), .number(4)]), "\"num_heads\" has 2 entries"),
            ("dim_head", .number(16), "\"dim_head\""),
            ("reduce_size", .string("8"), "\"reduce_size\" must be an integer"),
        ]
        for (key, value, message) in cases {
            var d = base
            d.kwargs[key] = value
            expectError(message) { _ = try UTNetPlugin.makeNetwork(d, weights: try store()) }
        }
        var other = base
        other.className = "model.utnet.UTNet"
        expectError("yhygao/UTNet:model.utnet.UTNet") { _ = try UTNetPlugin.makeNetwork(other, weights: try store()) }
    }

    @Test func missingExtraAndMisshapedWeights() throws {
        let d = try Fixtures.description(name)
        expectError("'down2.blocks.2.mlp.weight'") {
            _ = try UTNetPlugin.makeNetwork(d, weights: try Fixtures.memoryStore(name) { f, _ in
                f["down2.blocks.2.mlp.weight"] = nil
            })
        }
        expectError("'extra.weight'") {
            _ = try UTNetPlugin.makeNetwork(d, weights: try Fixtures.memoryStore(name) { f, _ in
                f["extra.weight"] = Tensor(shape: [3])
            })
        }
        expectError("[8, 8, 3, 3]") {
            _ = try UTNetPlugin.makeNetwork(d, weights: try Fixtures.memoryStore(name) { f, _ in
                f["inc.1.conv1.weight"] = Tensor(shape: [8, 8, 1, 1])
            })
        }
        // A reduce_size that disagrees with the weights fails on the bias table's shape.
        var r8 = d
        r8.kwargs["reduce_size"] = .number(8)
        expectError("relative_position_bias_table") { _ = try UTNetPlugin.makeNetwork(r8, weights: try Fixtures.memoryStore(name)) }
    }

    @Test func tamperedRelativePositionIndexIsRefused() throws {
        let key = "up2.attn_decoder.attn.relative_position_encoding.relative_position_index"
        let store = try Fixtures.memoryStore(name) { _, ints in ints[key]![5] += 1 }
        expectError(key) { _ = try UTNetPlugin.makeNetwork(try Fixtures.description(name), weights: store) }
    }
}
