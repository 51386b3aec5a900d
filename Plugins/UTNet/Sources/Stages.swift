import NN

/// One encoder level of UTNet (`down1`...`down4`).
///
/// With attention (`down_block_trans`, keys `blocks.*`): max-pool 2 then a residual block that doubles the
/// channels (`blocks.1`), or with `maxpool=False` a stride-2 residual block (`blocks.0`); then `num_blocks`
/// transformer blocks. Without attention (`down_block`, keys `conv.*`): max-pool 2 then two residual blocks
/// (`conv.1`, `conv.2`).
struct DownStage: Layer {
    let pool: Bool
    let blocks: [any Layer]

    init(_ store: WeightStore, level: Int, config: UTNetConfig) throws {
        let name = "down\(level)", cin = config.channels(level - 1), cout = config.channels(level)
        var blocks: [any Layer] = []
        if config.attentionLevels.contains(level) {
            pool = config.maxPool
            var index = 0
            if pool {
                index = 1
                blocks.append(try ResidualBlock(store, prefix: "\(name).blocks.1", inChannels: cin, outChannels: cout))
            } else {
                blocks.append(try ResidualBlock(store, prefix: "\(name).blocks.0", inChannels: cin, outChannels: cout,
                                                stride: 2))
            }
            for _ in 0..<config.blocks(level) {
                index += 1
                blocks.append(try TransformerBlock(store, prefix: "\(name).blocks.\(index)", channels: cout,
                                                   heads: config.encoderHeads(level), config: config))
            }
        } else {
            pool = true
            blocks.append(try ResidualBlock(store, prefix: "\(name).conv.1", inChannels: cin, outChannels: cout))
            blocks.append(try ResidualBlock(store, prefix: "\(name).conv.2", inChannels: cout, outChannels: cout))
        }
        self.blocks = blocks
    }

    func forward(_ x: Tensor) throws -> Tensor {
        var y = pool ? try Functional.maxPool(x, kernel: [2]) : x
        for b in blocks { y = try b.forward(y) }
        return y
    }
}

/// One decoder level of UTNet (`up1`...`up4`): combines the deeper map `low` with the encoder skip.
///
/// With attention (`up_block_trans`): the decoder transformer block (`attn_decoder`), then
/// `cat([attention output, skip])` and one residual block 2·out→out (`blocks.0`). Without attention
/// (`up_block`): bilinear ×2 upsample of `low` (align_corners=True), 1×1 conv with bias (`conv_ch`),
/// `cat([skip, upsampled])` and two residual blocks (`conv.0`, `conv.1`).
struct UpStage: Sendable {
    let decoder: TransformerDecoderBlock?
    let convCh: Conv?
    let blocks: [ResidualBlock]

    /// The stage whose skip is at `level` (0...3): `up4` for level 0, ..., `up1` for level 3.
    init(_ store: WeightStore, level: Int, config: UTNetConfig) throws {
        let name = "up\(4 - level)", cin = config.channels(level + 1), cout = config.channels(level)
        if config.attentionLevels.contains(level) {
            decoder = try TransformerDecoderBlock(store, prefix: "\(name).attn_decoder", inChannels: cin,
                                                  outChannels: cout, heads: config.decoderHeads(level), config: config)
            convCh = nil
            blocks = [try ResidualBlock(store, prefix: "\(name).blocks.0", inChannels: 2 * cout, outChannels: cout)]
        } else {
            decoder = nil
            convCh = try Conv(store, prefix: "\(name).conv_ch", spatialDims: 2, inChannels: cin, outChannels: cout,
                              kernel: [1], bias: true)
            blocks = [try ResidualBlock(store, prefix: "\(name).conv.0", inChannels: 2 * cout, outChannels: cout),
                      try ResidualBlock(store, prefix: "\(name).conv.1", inChannels: cout, outChannels: cout)]
        }
    }

    func forward(low: Tensor, skip: Tensor) throws -> Tensor {
        var y: Tensor
        if let decoder {
            y = try Functional.concat([try decoder.forward(low: low, skip: skip), skip], axis: 1)
        } else if let convCh {
            let up = try Functional.interpolate(low, scaleFactor: [2], mode: .bilinear, alignCorners: true)
            y = try Functional.concat([skip, try convCh.forward(up)], axis: 1)
        } else {
            preconditionFailure("UpStage without a decoder or conv_ch")
        }
        for b in blocks { y = try b.forward(y) }
        return y
    }
}
