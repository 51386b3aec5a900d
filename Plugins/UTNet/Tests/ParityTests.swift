import Foundation
import NN
import SegModelKit
import Testing
@testable import UTNetPlugin

@Suite struct UTNetParityTests {
    @Test(arguments: ["utnet_small", "utnet_small_r8", "utnet_variant_stride_norel", "utnet_variant_level0"])
    func matchesPyTorchReference(_ name: String) throws {
        let network = try UTNetPlugin.makeNetwork(try Fixtures.description(name),
                                                  weights: try WeightStore(path: try Fixtures.weightsPath(name)))
        _ = try expectParity(network, name)
    }

    @Test func runsThroughTheCABI() throws {
        let path = Fixtures.buildFolder.appendingPathComponent("libSegdPluginUTNet.so").path
        #expect(FileManager.default.fileExists(atPath: path), "build the plugin first: swift build")
        let plugin = try LoadedPlugin.open(path: path)
        #expect(plugin.name == "utnet")
        #expect(plugin.classes == ["yhygao/UTNet:model.utnet.UTNet"])
        let network = try PluginNetwork(plugin: plugin, description: try Fixtures.description("utnet_small"),
                                        weightsPath: try Fixtures.weightsPath("utnet_small"), threads: 2)
        let x = try Fixtures.tensor("utnet_small", "input.safetensors", "x")
        let ref = try Fixtures.tensor("utnet_small", "reference.safetensors", "y")
        let y = try network.forward(x)
        let (err, scale) = maxErrors(y, ref)
        #expect(y.shape == ref.shape)
        #expect(err <= 1e-4 * max(1, scale))
        // Errors cross the boundary as messages, not crashes.
        do {
            _ = try network.forward(Tensor(shape: [1, 1, 60, 60], repeating: 0))
            Issue.record("a 60x60 input was accepted")
        } catch {
            #expect(error.message.contains("60×60"), "\(error.message)")
        }
    }

    @Test func batchOfTwoEqualsTwoSingles() throws {
        let name = "utnet_small"
        let network = try UTNetPlugin.makeNetwork(try Fixtures.description(name),
                                                  weights: try WeightStore(path: try Fixtures.weightsPath(name)))
        let x = try Fixtures.tensor(name, "input.safetensors", "x")
        let flipped = try Tensor(shape: x.shape, data: x.toArray().reversed())
        let both = try Functional.concat([x, flipped], axis: 0)
        let y = try network.forward(both)
        let y0 = try network.forward(x), y1 = try network.forward(flipped)
        let (e0, _) = maxErrors(try Functional.slice(y, axis: 0, start: 0, length: 1), y0)
        let (e1, _) = maxErrors(try Functional.slice(y, axis: 0, start: 1, length: 1), y1)
        #expect(e0 < 1e-5 && e1 < 1e-5, "batch vs single: \(e0), \(e1)")
    }

    @Test func auxLossHeadsAreCheckedButDoNotChangeTheOutput() throws {
        let name = "utnet_small"
        var description = try Fixtures.description(name)
        description.kwargs["aux_loss"] = .bool(true)
        let store = try Fixtures.memoryStore(name) { floats, _ in
            for (head, ch) in [("out1", 64), ("out2", 32), ("out3", 16)] {
                floats["\(head).weight"] = Tensor(shape: [4, ch, 1, 1], repeating: 0.5)
                floats["\(head).bias"] = Tensor(shape: [4], repeating: 1)
            }
        }
        _ = try expectParity(try UTNetPlugin.makeNetwork(description, weights: store), name)
        // Without the heads, aux_loss=true is a clear missing-key error.
        do {
            _ = try UTNetPlugin.makeNetwork(description, weights: try Fixtures.memoryStore(name))
            Issue.record("aux_loss=true without out1..out3 was accepted")
        } catch {
            #expect("\(error)".contains("out1.weight"), "\(error)")
        }
    }

    @Test func relativePositionIndexMatchesSwin() {
        // r = 2: cells (0,0) (0,1) (1,0) (1,1); table side 3.
        #expect(RelativePositionBias.index(reduceSize: 2) == [4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4])
    }
}
