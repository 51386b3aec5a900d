@testable import NN
import Testing

/// The conv epilogue (per-channel activation, residual), the split output, and folded batch norm, against the
/// same ops run one after another.
@Suite struct ConvEpilogueTests {
    /// Values uniform in [-1, 1).
    static func random(_ shape: [Int], seed: UInt64) -> Tensor { pseudoRandomTensor(shape, seed: seed, scale: 2) }

    /// `act(y)` with a slope per channel, then `+ residual`, as separate passes.
    static func reference(_ y: Tensor, slopes: [Float]?, residual: Tensor?) throws -> Tensor {
        var out = y
        if let slopes {
            let c = y.shape[1], plane = y.count / (y.shape[0] * c)
            out.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count where p[i] < 0 { p[i] *= slopes[(i / plane) % c] }
            }
        }
        return try residual.map { try Functional.add(out, $0) } ?? out
    }

    /// Every conv fixture (stride 1, strided, pointwise, depthwise, grouped, 3-D) with slopes and a residual.
    @Test(arguments: ConvTests.convCases) func epilogueMatchesSeparateOps(_ name: String) throws {
        let p = try Fixtures.params(name)
        let x = try Fixtures.tensor(name + ".x"), w = try Fixtures.tensor(name + ".w"), b = try Fixtures.optional(name + ".b")
        let plain = try Functional.conv(x, weight: w, bias: b, stride: p.ints("stride"), padding: p.ints("padding"),
                                        groups: p.int("groups"))
        let slopes = (0..<w.shape[0]).map { Float($0 % 4) * 0.25 }  // 0 (ReLU), 0.25, 0.5, 0.75
        let res = Self.random(plain.shape, seed: 3)
        for (sl, r) in [(slopes, nil), (nil, res), (slopes, res)] as [([Float]?, Tensor?)] {
            let y = try Functional.conv(x, weight: w, bias: b, stride: p.ints("stride"), padding: p.ints("padding"),
                                        groups: p.int("groups"), epilogue: ConvEpilogue(negativeSlopes: sl, residual: r))
            expectClose(y, try Self.reference(plain, slopes: sl, residual: r),
                        "\(name) slopes \(sl != nil) residual \(r != nil)")
        }
    }

    /// Split outputs equal the channel slices of the whole output, on the stride-1, strided (with small tiles)
    /// and pointwise paths.
    @Test(arguments: [(1, 1, 3, 1 << 20), (2, 1, 3, 1 << 20), (2, 1, 3, 200), (1, 0, 1, 1 << 20), (2, 0, 1, 1 << 20)])
    func splitOutputsAreChannelSlices(_ stride: Int, _ pad: Int, _ k: Int, _ tile: Int) throws {
        let x = Self.random([2, 3, 9, 10], seed: 1), w = Self.random([10, 3, k, k], seed: 2)
        let b = Self.random([10], seed: 4)
        let slopes = (0..<10).map { Float($0) * 0.1 }
        let whole = try Functional.conv(x, weight: w, bias: b, stride: [stride], padding: [pad], groups: 1,
                                        epilogue: ConvEpilogue(negativeSlopes: slopes))
        let parts = try Functional.conv(x, weight: w, bias: b, stride: [stride], padding: [pad], groups: 1,
                                        epilogue: ConvEpilogue(negativeSlopes: slopes), split: [4, 6], tileElements: tile)
        expectClose(parts[0], try Functional.slice(whole, axis: 1, start: 0, length: 4), "first part")
        expectClose(parts[1], try Functional.slice(whole, axis: 1, start: 4, length: 6), "second part")
    }

    /// `conv.folding(bn)` with a LeakyReLU epilogue equals conv → BN → LeakyReLU, stride 1 and 2.
    @Test(arguments: [1, 2]) func foldedBatchNormWithActivation(_ stride: Int) throws {
        let x = Self.random([1, 4, 12, 11], seed: 5), w = Self.random([6, 4, 3, 3], seed: 6)
        let store = WeightStore(tensors: [
            "c.weight": w, "c.bias": Self.random([6], seed: 7),
            "n.weight": try Tensor(shape: [6], data: [1.5, 0.5, 1, 2, 0.7, 1.2]),
            "n.bias": Self.random([6], seed: 8), "n.running_mean": Self.random([6], seed: 9),
            "n.running_var": try Tensor(shape: [6], data: [0.5, 2, 1, 0.8, 1.1, 0.6]),
        ])
        let conv = try Conv(store, prefix: "c", spatialDims: 2, inChannels: 4, outChannels: 6, kernel: [3],
                            stride: [stride], padding: [1])
        let bn = try BatchNorm(store, prefix: "n", channels: 6)
        let expected = try bn.forward(try conv.forward(x), negativeSlope: 0.25)
        let y = try conv.folding(bn).forward(x, epilogue: ConvEpilogue(channels: 6, negativeSlope: 0.25))
        expectClose(y, expected, "folded conv stride \(stride)")
    }

    @Test func rejectsBadEpilogues() throws {
        let x = Self.random([1, 2, 5, 5], seed: 1), w = Self.random([3, 2, 3, 3], seed: 2)
        #expect(throws: NNError.self) {
            try Functional.conv(x, weight: w, bias: nil, epilogue: ConvEpilogue(negativeSlopes: [0, 0]))
        }
        #expect(throws: NNError.self) {
            try Functional.conv(x, weight: w, bias: nil, epilogue: ConvEpilogue(residual: Self.random([1, 3, 5, 5], seed: 3)))
        }
        #expect(throws: NNError.self) { try Functional.conv(x, weight: w, bias: nil, splitChannels: [1, 1]) }
    }
}

/// Transposed convolution with folded batch norm, activation epilogue and concatenated inputs.
@Suite struct ConvTransposeEpilogueTests {
    @Test(arguments: [(3, 2, 1, 1), (2, 2, 0, 0)])
    func foldedConcatenatedWithActivation(_ k: Int, _ stride: Int, _ pad: Int, _ outPad: Int) throws {
        let a = ConvEpilogueTests.random([1, 3, 5, 6], seed: 1), b = ConvEpilogueTests.random([1, 2, 5, 6], seed: 2)
        let store = WeightStore(tensors: [
            "c.weight": ConvEpilogueTests.random([5, 4, k, k], seed: 3), "c.bias": ConvEpilogueTests.random([4], seed: 4),
            "n.weight": try Tensor(shape: [4], data: [1.5, 0.5, 1, 2]), "n.bias": ConvEpilogueTests.random([4], seed: 5),
            "n.running_mean": ConvEpilogueTests.random([4], seed: 6),
            "n.running_var": try Tensor(shape: [4], data: [0.5, 2, 1, 0.8]),
        ])
        let ct = try ConvTranspose(store, prefix: "c", spatialDims: 2, inChannels: 5, outChannels: 4, kernel: [k],
                                   stride: [stride], padding: [pad], outputPadding: [outPad])
        let bn = try BatchNorm(store, prefix: "n", channels: 4)
        let cat = try Functional.concat([a, b], axis: 1)
        let expected = try bn.forward(try ct.forward(cat), negativeSlope: 0.1)
        let y = try ct.folding(bn).forward(concatenating: [a, b], epilogue: ConvEpilogue(channels: 4, negativeSlope: 0.1))
        expectClose(y, expected, "convT k\(k) s\(stride)")
        expectClose(try ct.folding(bn).forward(concatenating: [cat], epilogue: .none), try bn.forward(try ct.forward(cat)),
                    "convT k\(k) s\(stride) without activation")
    }
}
