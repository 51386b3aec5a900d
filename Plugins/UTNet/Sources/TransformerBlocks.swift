import NN

/// UTNet's encoder transformer block (`BasicTransBlock`): `y = x + attn(bn1(x))`, then
/// `y + mlp(relu(bn2(y)))`, where `mlp` is one 1×1 conv without bias at the same width.
struct TransformerBlock: Layer {
    let bn1: BatchNorm, attn: SelfAttention, bn2: BatchNorm, mlp: Conv

    init(_ store: WeightStore, prefix: String, channels: Int, heads: Int, config: UTNetConfig) throws {
        bn1 = try BatchNorm(store, prefix: prefix + ".bn1", channels: channels)
        attn = try SelfAttention(store, prefix: prefix + ".attn", channels: channels, heads: heads,
                                 reduceSize: config.reduceSize, relativePosition: config.relativePosition)
        bn2 = try BatchNorm(store, prefix: prefix + ".bn2", channels: channels)
        mlp = try Conv(store, prefix: prefix + ".mlp", spatialDims: 2, inChannels: channels, outChannels: channels,
                       kernel: [1], bias: false)
    }

    func forward(_ x: Tensor) throws -> Tensor {
        let y = try Functional.add(try attn.forward(try bn1.forward(x)), x)
        return try Functional.add(try mlp.forward(try bn2.forward(y, negativeSlope: 0)), y)
    }
}

/// UTNet's decoder transformer block (`BasicTransDecoderBlock`, module `attn_decoder`):
/// `residue = bilinear(conv_ch(low), skip size, align_corners=True)`, `y = attn(bn_h(skip), bn_l(low)) + residue`,
/// then `y + mlp(relu(bn2(y)))`.
struct TransformerDecoderBlock: Sendable {
    let bnLow: BatchNorm, bnHigh: BatchNorm, convCh: Conv, attn: CrossAttention, bn2: BatchNorm, mlp: Conv

    init(_ store: WeightStore, prefix: String, inChannels: Int, outChannels: Int, heads: Int, config: UTNetConfig) throws {
        bnLow = try BatchNorm(store, prefix: prefix + ".bn_l", channels: inChannels)
        bnHigh = try BatchNorm(store, prefix: prefix + ".bn_h", channels: outChannels)
        convCh = try Conv(store, prefix: prefix + ".conv_ch", spatialDims: 2, inChannels: inChannels,
                          outChannels: outChannels, kernel: [1], bias: true)
        attn = try CrossAttention(store, prefix: prefix + ".attn", inChannels: inChannels, outChannels: outChannels,
                                  heads: heads, reduceSize: config.reduceSize,
                                  relativePosition: config.relativePosition)
        bn2 = try BatchNorm(store, prefix: prefix + ".bn2", channels: outChannels)
        mlp = try Conv(store, prefix: prefix + ".mlp", spatialDims: 2, inChannels: outChannels,
                       outChannels: outChannels, kernel: [1], bias: false)
    }

    func forward(low: Tensor, skip: Tensor) throws -> Tensor {
        let residue = try Functional.interpolate(try convCh.forward(low), size: [skip.shape[2], skip.shape[3]],
                                                 mode: .bilinear, alignCorners: true)
        let a = try attn.forward(query: try bnHigh.forward(skip), low: try bnLow.forward(low))
        let y = try Functional.add(a, residue)
        return try Functional.add(try mlp.forward(try bn2.forward(y, negativeSlope: 0)), y)
    }
}
