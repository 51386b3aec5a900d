import NN

/// The efficient attention of UTNet (`LinearAttention`, `LinearAttentionDecoder` in `model/conv_trans_utils.py`),
/// after the q / k / v projections: k and v are bilinearly resized (align_corners=True) to r×r unless the key
/// map's height already is r, heads are channel-interleaved (`b (dim_head heads) h w`: channel c is head
/// c mod heads, position c div heads), logits are `(q·kᵀ + bias) · dim_head^-0.5`, softmax over the r² keys.
struct AttentionCore: Sendable {
    let heads: Int, dimHead: Int, reduceSize: Int
    let bias: RelativePositionBias?
    var inner: Int { heads * dimHead }

    /// `q` is `[N, inner, HH, WH]`, `kv` is `[N, 2·inner, H, W]` (k channels first). Returns `[N, inner, HH, WH]`.
    func callAsFunction(q: Tensor, kv: Tensor) throws -> Tensor {
        let n = q.shape[0], hh = q.shape[2], wh = q.shape[3], r = reduceSize
        var kv = kv
        if kv.shape[2] != r {
            kv = try Functional.interpolate(kv, size: [r, r], mode: .bilinear, alignCorners: true)
        }
        guard kv.shape[2] == r, kv.shape[3] == r else {
            throw NNError(.shapeMismatch, "UTNet attention: a key map of height reduce_size \(r) must also have width \(r), got \(kv.shape[2])×\(kv.shape[3])")
        }
        let cells = r * r
        // [N, dh, heads, P] -> [N, heads, P, dh]
        let qh = try Functional.permute(try q.reshaped([n, dimHead, heads, hh * wh]), [0, 2, 3, 1])
        // [N, 2, dh, heads, r²] -> [2, N, heads, r², dh]
        let kvh = try Functional.permute(try kv.reshaped([n, 2, dimHead, heads, cells]), [1, 0, 3, 4, 2])
        let k = try Functional.slice(kvh, axis: 0, start: 0, length: 1).reshaped([n, heads, cells, dimHead])
        let v = try Functional.slice(kvh, axis: 0, start: 1, length: 1).reshaped([n, heads, cells, dimHead])
        var logits = try Functional.matmul(qh, k, transposeB: true)
        biasedSoftmax(&logits, bias: bias, heads: heads, queryHeight: hh, queryWidth: wh,
                      scale: 1 / Float(dimHead).squareRoot())
        let o = try Functional.matmul(logits, v)  // [N, heads, P, dh]
        return try Functional.permute(o, [0, 3, 1, 2]).reshaped([n, inner, hh, wh])
    }
}

/// `LinearAttention` (module `attn` of an encoder block): `to_qkv` then the attention core then `to_out`.
struct SelfAttention: Layer {
    let toQKV: SeparableConv, toOut: SeparableConv
    let core: AttentionCore

    init(_ store: WeightStore, prefix: String, channels: Int, heads: Int, reduceSize: Int, relativePosition: Bool) throws {
        let dimHead = channels / heads, inner = dimHead * heads
        toQKV = try SeparableConv(store, prefix: prefix + ".to_qkv", inChannels: channels, outChannels: 3 * inner)
        toOut = try SeparableConv(store, prefix: prefix + ".to_out", inChannels: inner, outChannels: channels)
        let bias = relativePosition
            ? try RelativePositionBias(store, prefix: prefix + ".relative_position_encoding", heads: heads,
                                       reduceSize: reduceSize)
            : nil
        core = AttentionCore(heads: heads, dimHead: dimHead, reduceSize: reduceSize, bias: bias)
    }

    func forward(_ x: Tensor) throws -> Tensor {
        let qkv = try toQKV.forward(x)
        let inner = core.inner
        let q = try Functional.slice(qkv, axis: 1, start: 0, length: inner)
        let kv = try Functional.slice(qkv, axis: 1, start: inner, length: 2 * inner)
        return try toOut.forward(try core(q: q, kv: kv))
    }
}

/// `LinearAttentionDecoder`: queries from the high-resolution skip (`to_q`), keys and values from the
/// low-resolution map (`to_kv`), then the attention core and `to_out`.
struct CrossAttention: Sendable {
    let toKV: SeparableConv, toQ: SeparableConv, toOut: SeparableConv
    let core: AttentionCore

    init(_ store: WeightStore, prefix: String, inChannels: Int, outChannels: Int, heads: Int, reduceSize: Int,
         relativePosition: Bool) throws {
        let dimHead = outChannels / heads, inner = dimHead * heads
        toKV = try SeparableConv(store, prefix: prefix + ".to_kv", inChannels: inChannels, outChannels: 2 * inner)
        toQ = try SeparableConv(store, prefix: prefix + ".to_q", inChannels: outChannels, outChannels: inner)
        toOut = try SeparableConv(store, prefix: prefix + ".to_out", inChannels: inner, outChannels: outChannels)
        let bias = relativePosition
            ? try RelativePositionBias(store, prefix: prefix + ".relative_position_encoding", heads: heads,
                                       reduceSize: reduceSize)
            : nil
        core = AttentionCore(heads: heads, dimHead: dimHead, reduceSize: reduceSize, bias: bias)
    }

    /// `query` is the (normalised) skip, `low` the (normalised) low-resolution map.
    func forward(query: Tensor, low: Tensor) throws -> Tensor {
        try toOut.forward(try core(q: try toQ.forward(query), kv: try toKV.forward(low)))
    }
}
