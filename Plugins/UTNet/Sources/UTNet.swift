import NN
import SegModelKit

/// UTNet (Gao et al., MICCAI 2021), the official implementation's `model.utnet.UTNet` at yhygao/UTNet 6bdcc97:
/// a 2-D U-Net of pre-activation residual blocks with efficient self-attention in the encoder levels of
/// `block_list` and cross-attention in the matching decoder levels. Input `[N, in_chan, H, W]`, output
/// `[N, num_classes, H, W]` (logits; with `aux_loss=True` only the main output is returned).
public final class UTNet: SegmentationNetwork {
    public let config: UTNetConfig
    let inc: [any Layer]
    let down: [DownStage]
    /// Decoder stages by skip level 0...3 (`up4`, `up3`, `up2`, `up1`).
    let up: [UpStage]
    let outc: Conv
    let plan: SizePlan

    public init(config: UTNetConfig, weights store: WeightStore) throws {
        self.config = config
        let c = config.baseChannels
        var inc: [any Layer] = [try ResidualBlock(store, prefix: "inc.0", inChannels: config.inChannels, outChannels: c)]
        if config.attentionLevels.contains(0) {
            inc.append(try TransformerBlock(store, prefix: "inc.1", channels: c, heads: config.encoderHeads(0),
                                            config: config))
        } else {
            inc.append(try ResidualBlock(store, prefix: "inc.1", inChannels: c, outChannels: c))
        }
        self.inc = inc
        down = try (1...4).map { try DownStage(store, level: $0, config: config) }
        up = try (0...3).map { try UpStage(store, level: $0, config: config) }
        outc = try Conv(store, prefix: "outc", spatialDims: 2, inChannels: c, outChannels: config.numClasses,
                        kernel: [1], bias: true)
        if config.auxLoss {
            // Deep-supervision heads of training; they do not change the main output. Checked, then unused.
            for (name, level) in [("out1", 3), ("out2", 2), ("out3", 1)] {
                _ = try Conv(store, prefix: name, spatialDims: 2, inChannels: config.channels(level),
                             outChannels: config.numClasses, kernel: [1], bias: true)
            }
        }
        plan = SizePlan(config: config)
        do {
            try store.checkAllUsed()
        } catch let e as NNError {
            throw ModelError(.weightsMismatch, e.message)
        }
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input.checkNetworkInput(spatialDims: 2, channels: config.inChannels, network: "UTNet")
        if let why = plan.check(height: input.shape[2], width: input.shape[3]) {
            let hint = plan.squareMultiple().map { " Sizes that are multiples of \($0) (e.g. \($0)×\($0)) work; pad or resample the slices." } ?? ""
            throw ModelError(.unsupportedInput, "UTNet (reduce_size \(config.reduceSize), block_list levels \(config.attentionLevels.sorted())) cannot take a \(input.shape[2])×\(input.shape[3]) input: \(why).\(hint)")
        }
        var x = input
        for b in inc { x = try b.forward(x) }
        var skips = [x]
        for d in down { skips.append(try d.forward(skips[skips.count - 1])) }
        var y = skips[4]
        for level in stride(from: 3, through: 0, by: -1) {
            y = try up[level].forward(low: y, skip: skips[level])
            skips[level + 1] = Tensor(shape: [0])  // release what is no longer needed
        }
        return try outc.forward(y)
    }
}
