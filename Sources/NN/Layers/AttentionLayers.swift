/// Multi-head self-attention over tokens `[B, L, hidden]`, laid out like MONAI's `SABlock`
/// (`monai.networks.blocks.selfattention`): keys `<prefix>.qkv.weight` `[3·hidden, hidden]` (plus
/// `<prefix>.qkv.bias` if `qkvBias`) and `<prefix>.out_proj.weight` `[hidden, hidden]`, `<prefix>.out_proj.bias`.
/// The qkv output splits as (q|k|v, head, dimHead) with contiguous head blocks; logits are scaled by
/// `dimHead^-0.5`; softmax over keys.
public struct MultiHeadSelfAttention: Layer {
    public let qkv: Linear, outProj: Linear
    public let heads: Int, hidden: Int

    public init(_ store: WeightStore, prefix: String, hidden: Int, heads: Int, qkvBias: Bool = false) throws {
        guard heads > 0, hidden % heads == 0 else {
            throw NNError(.invalidArgument, "MultiHeadSelfAttention '\(prefix)': hidden \(hidden) is not divisible by \(heads) heads")
        }
        qkv = try Linear(store, prefix: key(prefix, "qkv"), inFeatures: hidden, outFeatures: 3 * hidden, bias: qkvBias)
        outProj = try Linear(store, prefix: key(prefix, "out_proj"), inFeatures: hidden, outFeatures: hidden)
        self.heads = heads
        self.hidden = hidden
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == hidden else {
            throw NNError(.shapeMismatch, "MultiHeadSelfAttention expects [B, L, \(hidden)], got \(shapeString(x.shape))")
        }
        let b = x.shape[0], l = x.shape[1], dh = hidden / heads
        // [B, L, 3, H, dh] -> [3, B, H, L, dh]
        let split = try Functional.permute(try qkv.forward(x).reshaped([b, l, 3, heads, dh]), [2, 0, 3, 1, 4])
        let part = { (i: Int) throws -> Tensor in
            try Functional.slice(split, axis: 0, start: i, length: 1).reshaped([b, heads, l, dh])
        }
        let o = try Functional.attention(q: try part(0), k: try part(1), v: try part(2),
                                         scale: 1 / Float(dh).squareRoot())
        return try outProj.forward(try Functional.permute(o, [0, 2, 1, 3]).reshaped([b, l, hidden]))
    }
}
