import NN

/// MONAI `ViT` as used by UNETR (no class token, learnable position embeddings, conv patch embedding, pre-norm
/// `TransformerBlock`s with `SABlock` attention and a GELU `MLPBlock`). Keys under `vit.`.
struct ViT {
    struct Block {
        let norm1: LayerNorm, attn: MultiHeadSelfAttention, norm2: LayerNorm, fc1: Linear, fc2: Linear
        func forward(_ x: Tensor) throws -> Tensor {
            let a = try Functional.add(x, try attn.forward(try norm1.forward(x)))
            let m = try fc2.forward(Functional.gelu(try fc1.forward(try norm2.forward(a))))
            return try Functional.add(a, m)
        }
    }
    let patch: Conv
    let positions: Tensor
    let blocks: [Block]
    let norm: LayerNorm
    let hidden: Int

    init(_ store: WeightStore, dims: Int, inChannels: Int, tokens: Int, hidden: Int, mlp: Int, heads: Int,
         qkvBias: Bool) throws {
        patch = try Conv(store, prefix: "vit.patch_embedding.patch_embeddings", spatialDims: dims,
                         inChannels: inChannels, outChannels: hidden, kernel: [16], stride: [16])
        positions = try store.tensor("vit.patch_embedding.position_embeddings", shape: [1, tokens, hidden])
        blocks = try (0..<12).map { i in
            let p = "vit.blocks.\(i)"
            // TransformerBlock always creates `norm_cross_attn`; it is unused without cross attention.
            store.ignore(p + ".norm_cross_attn.weight")
            store.ignore(p + ".norm_cross_attn.bias")
            return Block(norm1: try LayerNorm(store, prefix: p + ".norm1", dim: hidden),
                         attn: try MultiHeadSelfAttention(store, prefix: p + ".attn", hidden: hidden, heads: heads,
                                                          qkvBias: qkvBias),
                         norm2: try LayerNorm(store, prefix: p + ".norm2", dim: hidden),
                         fc1: try Linear(store, prefix: p + ".mlp.linear1", inFeatures: hidden, outFeatures: mlp),
                         fc2: try Linear(store, prefix: p + ".mlp.linear2", inFeatures: mlp, outFeatures: hidden))
        }
        norm = try LayerNorm(store, prefix: "vit.norm", dim: hidden)
        self.hidden = hidden
    }

    /// Returns the final normed tokens and the raw outputs of every block, each `[B, L, hidden]`.
    func forward(_ x: Tensor) throws -> (Tensor, [Tensor]) {
        let e = try patch.forward(x)  // [B, hidden, d, h, w]
        let b = e.shape[0], l = e.count / (b * hidden)
        var t = try Functional.add(try Functional.permute(try e.reshaped([b, hidden, l]), [0, 2, 1]), positions)
        var states: [Tensor] = []
        for blk in blocks {
            t = try blk.forward(t)
            states.append(t)
        }
        return (try norm.forward(t), states)
    }
}
