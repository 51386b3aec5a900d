@testable import NN
import Testing

@Suite struct NormTests {
    @Test(arguments: ["bn2d", "bn3d"]) func batchNorm(_ name: String) throws {
        let y = try Functional.batchNorm(
            try Fixtures.tensor(name + ".x"), runningMean: try Fixtures.tensor(name + ".mean"),
            runningVar: try Fixtures.tensor(name + ".var"), weight: try Fixtures.tensor(name + ".w"),
            bias: try Fixtures.tensor(name + ".b"), eps: 1e-5)
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    @Test(arguments: ["in3d_affine", "in3d_plain", "in2d_affine"]) func instanceNorm(_ name: String) throws {
        let y = try Functional.instanceNorm(try Fixtures.tensor(name + ".x"), weight: try Fixtures.optional(name + ".w"),
                                            bias: try Fixtures.optional(name + ".b"), eps: 1e-5)
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    /// Fused norm + activation equals the two ops in sequence.
    @Test func fusedActivation() throws {
        let x = try Fixtures.tensor("in3d_affine.x"), w = try Fixtures.tensor("in3d_affine.w"), b = try Fixtures.tensor("in3d_affine.b")
        let plain = try Functional.instanceNorm(x, weight: w, bias: b)
        expectClose(try Functional.instanceNorm(x, weight: w, bias: b, negativeSlope: 0.1),
                    Functional.leakyReLU(plain, slope: 0.1), "instanceNorm + leaky", tol: 1e-6)
        let bx = try Fixtures.tensor("bn2d.x")
        let args = (try Fixtures.tensor("bn2d.mean"), try Fixtures.tensor("bn2d.var"), try Fixtures.tensor("bn2d.w"), try Fixtures.tensor("bn2d.b"))
        let bn = try Functional.batchNorm(bx, runningMean: args.0, runningVar: args.1, weight: args.2, bias: args.3)
        let fused = try Functional.batchNorm(bx, runningMean: args.0, runningVar: args.1, weight: args.2, bias: args.3, negativeSlope: 0)
        expectClose(fused, Functional.relu(bn), "batchNorm + relu", tol: 0)
        expectClose(bn, try Fixtures.tensor("bn2d.y"), "bn2d")
    }

    /// One-pass statistics stay accurate when the mean dwarfs the spread.
    @Test func instanceNormLargeOffset() throws {
        let n = 50_000
        let data = (0..<n).map { Float(1000) + Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let x = try Tensor(shape: [1, 1, n, 1], data: data)
        let y = try Functional.instanceNorm(x).toArray()
        let mean = data.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        for i in stride(from: 0, to: n, by: 997) {
            let e = (Double(data[i]) - mean) / (variance + 1e-5).squareRoot()
            #expect(abs(Double(y[i]) - e) < 2e-4, "element \(i): \(y[i]) vs \(e)")
        }
    }

    @Test(arguments: ["ln_affine", "ln_plain"]) func layerNorm(_ name: String) throws {
        let y = try Functional.layerNorm(try Fixtures.tensor(name + ".x"), weight: try Fixtures.optional(name + ".w"),
                                         bias: try Fixtures.optional(name + ".b"), eps: 1e-5)
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }
}

@Suite struct ActivationTests {
    @Test func activations() throws {
        let x = try Fixtures.tensor("relu.x")
        expectClose(Functional.relu(x), try Fixtures.tensor("relu.y"), "relu")
        expectClose(Functional.leakyReLU(x, slope: 0.01), try Fixtures.tensor("leaky001.y"), "leaky 0.01")
        expectClose(Functional.leakyReLU(x, slope: 0.1), try Fixtures.tensor("leaky01.y"), "leaky 0.1")
        expectClose(Functional.gelu(x), try Fixtures.tensor("gelu.y"), "gelu")
        expectClose(try Functional.prelu(x, weight: try Fixtures.tensor("prelu1.w")), try Fixtures.tensor("prelu1.y"), "prelu1")
        expectClose(try Functional.prelu(x, weight: try Fixtures.tensor("prelu3.w")), try Fixtures.tensor("prelu3.y"), "prelu3")
        #expect(throws: NNError.self) { try Functional.prelu(x, weight: Tensor(shape: [2])) }
        expectClose(try Functional.softmax(try Fixtures.tensor("softmax.x")), try Fixtures.tensor("softmax.y"), "softmax")
    }
}

@Suite struct LinearTests {
    @Test func linear() throws {
        let x = try Fixtures.tensor("linear_bias.x"), w = try Fixtures.tensor("linear_bias.w")
        expectClose(try Functional.linear(x, weight: w, bias: try Fixtures.tensor("linear_bias.b")),
                    try Fixtures.tensor("linear_bias.y"), "linear with bias")
        expectClose(try Functional.linear(x, weight: w), try Fixtures.tensor("linear_nobias.y"), "linear without bias")
        #expect(throws: NNError.self) { try Functional.linear(x, weight: Tensor(shape: [7, 11])) }
    }

    @Test(arguments: ["matmul_bt_alpha", "matmul_batched", "matmul_shared_b"]) func matmul(_ name: String) throws {
        let p = try Fixtures.params(name)
        let y = try Functional.matmul(try Fixtures.tensor(name + ".a"), try Fixtures.tensor(name + ".b"),
                                      transposeB: p.bool("transposeB"), alpha: p.float("alpha"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    /// UNETR-style multi-head self-attention assembled from the building blocks.
    @Test func multiHeadSelfAttention() throws {
        let x = try Fixtures.tensor("mhsa.x")
        let heads = 4, tokens = x.shape[1], hidden = x.shape[2], dh = hidden / heads
        let qkv = try Functional.linear(x, weight: try Fixtures.tensor("mhsa.wqkv"))
        let split = try Functional.permute(try qkv.reshaped([1, tokens, 3, heads, dh]), [2, 0, 3, 1, 4])
        let q = try Functional.slice(split, axis: 0, start: 0, length: 1).reshaped([1, heads, tokens, dh])
        let k = try Functional.slice(split, axis: 0, start: 1, length: 1).reshaped([1, heads, tokens, dh])
        let v = try Functional.slice(split, axis: 0, start: 2, length: 1).reshaped([1, heads, tokens, dh])
        let att = try Functional.softmax(try Functional.matmul(q, k, transposeB: true, alpha: 1 / Float(dh).squareRoot()))
        let o = try Functional.permute(try Functional.matmul(att, v), [0, 2, 1, 3]).reshaped([1, tokens, hidden])
        let y = try Functional.linear(o, weight: try Fixtures.tensor("mhsa.wo"), bias: try Fixtures.tensor("mhsa.bo"))
        expectClose(y, try Fixtures.tensor("mhsa.y"), "mhsa")
    }
}

@Suite struct AttentionTests {
    @Test func attentionWithBiasBeforeScale() throws {
        let y = try Functional.attention(q: try Fixtures.tensor("attention_bias.q"), k: try Fixtures.tensor("attention_bias.k"),
                                         v: try Fixtures.tensor("attention_bias.v"), scale: 0.5,
                                         bias: try Fixtures.tensor("attention_bias.bias"))
        expectClose(y, try Fixtures.tensor("attention_bias.y"), "attention with bias")
    }

    @Test func multiHeadSelfAttentionLayer() throws {
        let store = WeightStore(tensors: [
            "attn.qkv.weight": try Fixtures.tensor("mhsa.wqkv"), "attn.out_proj.weight": try Fixtures.tensor("mhsa.wo"),
            "attn.out_proj.bias": try Fixtures.tensor("mhsa.bo"),
        ])
        let layer = try MultiHeadSelfAttention(store, prefix: "attn", hidden: 16, heads: 4)
        try store.checkAllUsed()
        expectClose(try layer.forward(try Fixtures.tensor("mhsa.x")), try Fixtures.tensor("mhsa.y"), "mhsa layer")
        #expect(throws: NNError.self) { try layer.forward(Tensor(shape: [1, 3, 8])) }
    }
}

@Suite struct ResamplingTests {
    static let interpCases: [String] = ["nearest2d_size", "nearest2d_down", "nearest2d_scale2", "nearest3d_scale15"]
        + ["T", "F"].flatMap { t in
            ["bilinear_ac\(t)_size", "bilinear_ac\(t)_down", "bilinear_ac\(t)_scale2", "bilinear_ac\(t)_scale07",
             "trilinear_ac\(t)_size", "trilinear_ac\(t)_scale2"]
        }

    @Test(arguments: interpCases) func interpolate(_ name: String) throws {
        let p = try Fixtures.params(name)
        let mode = try #require(InterpolationMode(rawValue: p["mode"] as? String ?? ""))
        let size = p.ints("size")
        let y = try Functional.interpolate(try Fixtures.tensor(name + ".x"), size: size.isEmpty ? nil : size,
                                           scaleFactor: p.doubles("scale"), mode: mode,
                                           alignCorners: p.bool("alignCorners"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    @Test(arguments: ["maxpool2d_k2", "maxpool3d_k2", "maxpool3d_k3s2"]) func maxPool(_ name: String) throws {
        let p = try Fixtures.params(name)
        let y = try Functional.maxPool(try Fixtures.tensor(name + ".x"), kernel: p.ints("kernel"), stride: p.ints("stride"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name, tol: 0)
    }

    @Test(arguments: ["reppad3d", "reppad2d"]) func replicatePad(_ name: String) throws {
        let p = try Fixtures.params(name)
        let y = try Functional.replicatePad(try Fixtures.tensor(name + ".x"), p.ints("padding"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name, tol: 0)
    }
}
