import Foundation
@testable import NN
import Testing

@Suite struct SafeTensorsTests {
    /// A fresh temporary directory per test (tests run in parallel).
    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func bytes(_ header: String, data: [UInt8] = []) -> Data {
        var d = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(contentsOf: data)
        return d
    }

    static func expectBadFile(_ data: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try tempDir().appendingPathComponent("w.safetensors")
        try data.write(to: url)
        do {
            _ = try SafeTensorsFile(path: url.path)
            Issue.record("expected an error containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch let e as NNError {
            #expect(e.code == .badFile, sourceLocation: sourceLocation)
            #expect(e.message.contains(fragment), "message: \(e.message)", sourceLocation: sourceLocation)
        }
    }

    @Test func convertsF16BF16AndReadsInt64() throws {
        let f = try SafeTensorsFile(path: Fixtures.directory + "/dtypes.safetensors")
        #expect(f.metadata["format"] == "pt")
        #expect(try f.tensor("f16").toArray() == (try f.tensor("f16_as_f32")).toArray())
        #expect(try f.tensor("bf16").toArray() == (try f.tensor("bf16_as_f32")).toArray())
        #expect(try f.tensor("f32").toArray() == [0, 1, -2.5, 0.1, 65504, -1e-3, 3.140625])
        #expect(try f.int64Array("i64") == [0, -1, 2, 3 << 40, 5, -7])
        #expect(f.entries["i64"]?.shape == [2, 3])
        #expect(throws: NNError.self) { try f.tensor("i64") }
        #expect(throws: NNError.self) { try f.int64Array("f32") }
    }

    @Test func writerRoundTrip() throws {
        let url = try Self.tempDir().appendingPathComponent("y.safetensors")
        let y = try Tensor(shape: [1, 2, 3], data: [1, -2, 3.5, 4, 5, 6e-7])
        try SafeTensorsWriter.write(["y": y, "z": Tensor(shape: [0])], metadata: ["format": "pt"], to: url.path)
        let f = try SafeTensorsFile(path: url.path)
        #expect(f.names == ["y", "z"])
        #expect(f.metadata["format"] == "pt")
        let back = try f.tensor("y")
        #expect(back.shape == [1, 2, 3] && back.toArray() == y.toArray())
        let raw = try Data(contentsOf: url)
        let headerLength = raw.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func truncatedFileIsAClearError() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: Fixtures.directory + "/dtypes.safetensors"))
        try Self.expectBadFile(good.prefix(good.count - 3), "truncated")
        try Self.expectBadFile(good.prefix(100), "truncated")
        try Self.expectBadFile(good.prefix(5), "too short")
    }

    @Test func badHeadersAreClearErrors() throws {
        try Self.expectBadFile(Self.bytes("{not json"), "not valid JSON")
        try Self.expectBadFile(Self.bytes("[1, 2]"), "not a JSON object")
        try Self.expectBadFile(Self.bytes(#"{"a": {"dtype": "F32", "shape": [2]}}"#), "lacks")
        try Self.expectBadFile(Self.bytes(#"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}"#, data: [1, 2]),
                               "dtype U8")
        try Self.expectBadFile(Self.bytes(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                               "wrong length")
        try Self.expectBadFile(Self.bytes(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0, 0]),
                               "truncated")
        var huge = Data([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])
        huge.append(contentsOf: Array("{}".utf8))
        try Self.expectBadFile(huge, "header length")
        #expect(throws: NNError.self) { try SafeTensorsFile(path: "/nonexistent/w.safetensors") }
    }

    @Test func weightStoreNamesKeysAndShapes() throws {
        let url = try Self.tempDir().appendingPathComponent("w.safetensors")
        try SafeTensorsWriter.write([
            "conv.weight": Tensor(shape: [4, 3, 3, 3], repeating: 0.5),
            "conv.bias": Tensor(shape: [4], repeating: 1),
            "extra.weight": Tensor(shape: [2]),
        ], to: url.path)
        let store = try WeightStore(path: url.path)
        do {
            _ = try store.tensor("conv.weight", shape: [4, 3, 5, 5])
            Issue.record("misshaped key accepted")
        } catch let e as NNError {
            #expect(e.code == .weightShapeMismatch)
            #expect(e.message.contains("conv.weight") && e.message.contains("[4, 3, 3, 3]") && e.message.contains("[4, 3, 5, 5]"))
        }
        do {
            _ = try store.tensor("conv2.weight", shape: [1])
            Issue.record("missing key accepted")
        } catch let e as NNError {
            #expect(e.code == .missingWeight && e.message.contains("conv2.weight"))
        }
        let conv = try Conv(store, prefix: "conv", spatialDims: 2, inChannels: 3, outChannels: 4, kernel: [3], padding: [1])
        #expect(conv.bias?.toArray() == [1, 1, 1, 1])
        do {
            try store.checkAllUsed()
            Issue.record("extra key accepted")
        } catch let e as NNError {
            #expect(e.code == .unusedWeight && e.message.contains("extra.weight"))
        }
        store.ignore(prefix: "extra.")
        try store.checkAllUsed()
        let y = try conv.forward(Tensor(shape: [1, 3, 4, 4], repeating: 1))
        #expect(y.shape == [1, 4, 4, 4])
        #expect(y[0, 0, 1, 1] == 1 + 27 * 0.5)  // interior: full 3x3x3 window
        #expect(y[0, 0, 0, 0] == 1 + 12 * 0.5)  // corner: 2x2 window per channel
    }

    @Test func foldingBatchNormIntoConv() throws {
        let x = try Fixtures.tensor("conv2d_basic.x"), w = try Fixtures.tensor("conv2d_basic.w")
        let store = WeightStore(tensors: [
            "c.weight": w, "c.bias": try Fixtures.tensor("conv2d_basic.b"),
            "n.weight": try Tensor(shape: [4], data: [1.5, 0.5, 1, 2]), "n.bias": try Tensor(shape: [4], data: [0.1, -0.2, 0, 0.3]),
            "n.running_mean": try Tensor(shape: [4], data: [0.2, -0.1, 0.3, 0]),
            "n.running_var": try Tensor(shape: [4], data: [0.5, 2, 1, 0.8]),
        ])
        let conv = try Conv(store, prefix: "c", spatialDims: 2, inChannels: 3, outChannels: 4, kernel: [3], padding: [1])
        let bn = try BatchNorm(store, prefix: "n", channels: 4)
        let expected = try bn.forward(try conv.forward(x))
        expectClose(try conv.folding(bn).forward(x), expected, "conv folded with batch norm")
        #expect(conv.weight.toArray() == w.toArray())  // the original is untouched (copy-on-write)
    }

    @Test func layersLoadByPrefix() throws {
        let store = WeightStore(tensors: [
            "m.bn.weight": try Tensor(shape: [2], data: [2, 3]), "m.bn.bias": try Tensor(shape: [2], data: [1, -1]),
            "m.bn.running_mean": try Tensor(shape: [2], data: [0.5, 0]),
            "m.bn.running_var": try Tensor(shape: [2], data: [4, 1]),
            "m.act.weight": try Tensor(shape: [1], data: [0.25]),
            "m.fc.weight": try Tensor(shape: [1, 2], data: [1, 2]),
        ], integers: ["m.bn.num_batches_tracked": [7]])
        let bn = try BatchNorm(store, prefix: "m.bn", channels: 2)
        let act = try PReLU(store, prefix: "m.act")
        let fc = try Linear(store, prefix: "m.fc", inFeatures: 2, outFeatures: 1, bias: false)
        try store.checkAllUsed()
        let x = try Tensor(shape: [1, 2, 1, 1], data: [2.5, -3])
        let y = try Sequential([bn, act]).forward(x)
        let e0: Float = (2.5 - 0.5) / (4 + 1e-5).squareRoot() * 2 + 1
        let e1: Float = 0.25 * ((-3) / (1 + 1e-5).squareRoot() * 3 - 1)
        #expect(abs(y[0, 0, 0, 0] - e0) < 1e-6 && abs(y[0, 1, 0, 0] - e1) < 1e-6)
        #expect(try fc.forward(try y.reshaped([1, 2])).toArray() == [y[0, 0, 0, 0] + 2 * y[0, 1, 0, 0]])
    }
}
