import NN
import SegModelKit

/// `monai.networks.nets.UNETR` (MONAI 1.6.1): a 12-block ViT encoder on 16³ patches whose block 3/6/9 outputs
/// and final output are projected back to volumes and decoded by transposed convs and UnetResBlocks.
final class MonaiUNETR: SegmentationNetwork {
    static let className = "monai.networks.nets.UNETR"

    /// `UnetrPrUpBlock`: an initial transposed conv, then `layers` × (transposed conv [+ UnetResBlock]).
    struct PrUp {
        let initial: ConvTranspose
        let blocks: [(ConvTranspose, UnetResBlock?)]
        init(_ s: WeightStore, _ p: String, _ d: Int, _ i: Int, _ o: Int, layers: Int, convBlock: Bool, res: Bool) throws {
            initial = try Self.up(s, p + ".transp_conv_init.conv", d, i, o)
            blocks = try (0..<layers).map { k in
                let bp = "\(p).blocks.\(k)"
                guard convBlock else { return (try Self.up(s, bp + ".conv", d, o, o), nil) }
                return (try Self.up(s, bp + ".0.conv", d, o, o),
                        try UnetResBlock(s, prefix: bp + ".1", dims: d, inChannels: o, outChannels: o, residual: res))
            }
        }
        static func up(_ s: WeightStore, _ p: String, _ d: Int, _ i: Int, _ o: Int) throws -> ConvTranspose {
            try ConvTranspose(s, prefix: p, spatialDims: d, inChannels: i, outChannels: o, kernel: [2], stride: [2], bias: false)
        }
        func forward(_ x: Tensor) throws -> Tensor {
            var y = try initial.forward(x)
            for (t, r) in blocks {
                y = try t.forward(y)
                if let r { y = try r.forward(y) }
            }
            return y
        }
    }

    /// `UnetrUpBlock`: transposed conv, concatenate `[upsampled, skip]`, UnetResBlock.
    struct Up {
        let transp: ConvTranspose, block: UnetResBlock
        init(_ s: WeightStore, _ p: String, _ d: Int, _ i: Int, _ o: Int, res: Bool) throws {
            transp = try PrUp.up(s, p + ".transp_conv.conv", d, i, o)
            block = try UnetResBlock(s, prefix: p + ".conv_block", dims: d, inChannels: 2 * o, outChannels: o, residual: res)
        }
        func forward(_ x: Tensor, skip: Tensor) throws -> Tensor {
            try block.forward(try Functional.concat([try transp.forward(x), skip], axis: 1))
        }
    }

    let dims: Int, inChannels: Int, imgSize: [Int], featSize: [Int], hidden: Int
    let vit: ViT
    let encoder1: UnetResBlock
    let encoder2: PrUp, encoder3: PrUp, encoder4: PrUp
    let decoder5: Up, decoder4: Up, decoder3: Up, decoder2: Up
    let out: Conv

    init(_ description: NetworkDescription, weights store: WeightStore) throws {
        var kw = Kwargs(description)
        let cls = description.className
        func bad(_ m: String) -> ModelError { ModelError(.invalidNetworkDescription, "\(cls): \(m)") }
        inChannels = try kw.int("in_channels")
        let outChannels = try kw.int("out_channels")
        dims = try kw.int("spatial_dims", default: 3)
        imgSize = try kw.ints("img_size", broadcast: dims)
        let f = try kw.int("feature_size", default: 16)
        hidden = try kw.int("hidden_size", default: 768)
        let mlp = try kw.int("mlp_dim", default: 3072)
        let heads = try kw.int("num_heads", default: 12)
        let projType = try kw.string("proj_type", default: "conv")
        let normName = kw.has("norm_name") ? kw.raw("norm_name")! : .string("instance")
        let convBlock = try kw.bool("conv_block", default: true)
        let res = try kw.bool("res_block", default: true)
        let dropout = try kw.double("dropout_rate", default: 0)
        let qkvBias = try kw.bool("qkv_bias", default: false)
        _ = try kw.bool("save_attn", default: false)  // only keeps attention maps for inspection
        try kw.finish()
        guard dims == 2 || dims == 3 else { throw bad("spatial_dims must be 2 or 3, got \(dims)") }
        guard imgSize.count == dims, imgSize.allSatisfy({ $0 >= 16 && $0 % 16 == 0 }) else {
            throw bad("img_size \(imgSize) must have \(dims) multiples of 16 (the fixed patch size)")
        }
        guard inChannels > 0, outChannels > 0, f > 0, hidden > 0, mlp > 0, heads > 0, hidden % heads == 0 else {
            throw bad("needs positive sizes and hidden_size divisible by num_heads")
        }
        guard projType == "conv" else {
            throw bad("kwarg \"proj_type\" = \"\(projType)\" is not supported in segd (only \"conv\")")
        }
        guard normName == .string("instance") || normName == .string("INSTANCE") else {
            throw bad("kwarg \"norm_name\" = \(normName) is not supported in segd (only \"instance\")")
        }
        guard dropout == 0 else { throw bad("kwarg \"dropout_rate\" = \(dropout) is not supported in segd (only 0)") }
        featSize = imgSize.map { $0 / 16 }
        let d = dims, tokens = featSize.reduce(1, *)
        vit = try ViT(store, dims: d, inChannels: inChannels, tokens: tokens, hidden: hidden, mlp: mlp, heads: heads,
                      qkvBias: qkvBias)
        encoder1 = try UnetResBlock(store, prefix: "encoder1.layer", dims: d, inChannels: inChannels, outChannels: f,
                                    residual: res)
        encoder2 = try PrUp(store, "encoder2", d, hidden, 2 * f, layers: 2, convBlock: convBlock, res: res)
        encoder3 = try PrUp(store, "encoder3", d, hidden, 4 * f, layers: 1, convBlock: convBlock, res: res)
        encoder4 = try PrUp(store, "encoder4", d, hidden, 8 * f, layers: 0, convBlock: convBlock, res: res)
        decoder5 = try Up(store, "decoder5", d, hidden, 8 * f, res: res)
        decoder4 = try Up(store, "decoder4", d, 8 * f, 4 * f, res: res)
        decoder3 = try Up(store, "decoder3", d, 4 * f, 2 * f, res: res)
        decoder2 = try Up(store, "decoder2", d, 2 * f, f, res: res)
        out = try Conv(store, prefix: "out.conv.conv", spatialDims: d, inChannels: f, outChannels: outChannels, kernel: [1])
        try store.checkAllUsed()
    }

    /// Tokens `[B, L, hidden]` → `[B, hidden, feat...]`.
    private func volume(_ t: Tensor) throws -> Tensor {
        let b = t.shape[0]
        return try Functional.permute(t, [0, 2, 1]).reshaped([b, hidden] + featSize)
    }

    func forward(_ input: Tensor) throws -> Tensor {
        try input.checkNetworkInput(spatialDims: dims, channels: inChannels, network: "UNETR")
        guard Array(input.shape.dropFirst(2)) == imgSize else {
            throw ModelError(.unsupportedInput,
                             "UNETR was built for img_size \(imgSize) (its position embeddings fix it), got spatial size \(Array(input.shape.dropFirst(2))); use a sliding window of that size")
        }
        let (x, states) = try vit.forward(input)
        let enc1 = try encoder1.forward(input)
        let enc2 = try encoder2.forward(try volume(states[3]))
        let enc3 = try encoder3.forward(try volume(states[6]))
        let enc4 = try encoder4.forward(try volume(states[9]))
        let dec3 = try decoder5.forward(try volume(x), skip: enc4)
        let dec2 = try decoder4.forward(dec3, skip: enc3)
        let dec1 = try decoder3.forward(dec2, skip: enc2)
        let o = try decoder2.forward(dec1, skip: enc1)
        return try out.forward(o)
    }
}
