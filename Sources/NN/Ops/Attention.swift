extension Functional {
    /// Scaled dot-product attention: `softmax((q · kᵀ + bias) · scale) · v` over the last two dimensions.
    ///
    /// - Parameters:
    ///   - q: `[..., Lq, D]`; `k`: `[..., Lk, D]`; `v`: `[..., Lk, Dv]` (same leading batch/head dimensions).
    ///   - scale: multiplies the logits after the bias is added (MONAI SABlock: `D^-0.5`, no bias;
    ///     UTNet adds its relative-position bias first and then scales both).
    ///   - bias: optional additive logits bias, broadcastable to `[..., Lq, Lk]`.
    /// - Returns: `[..., Lq, Dv]`.
    public static func attention(q: Tensor, k: Tensor, v: Tensor, scale: Float, bias: Tensor? = nil) throws -> Tensor {
        guard q.rank >= 2, k.rank == q.rank, v.rank == q.rank,
              q.shape.dropLast(2) == k.shape.dropLast(2), k.shape.dropLast(1) == v.shape.dropLast(1) else {
            throw NNError(.shapeMismatch, "attention: q \(shapeString(q.shape)), k \(shapeString(k.shape)), v \(shapeString(v.shape)) do not fit")
        }
        var logits: Tensor
        if let bias {
            logits = try add(try matmul(q, k, transposeB: true), bias)
            if scale != 1 { logits = Functional.scale(logits, by: scale) }
        } else {
            logits = try matmul(q, k, transposeB: true, alpha: scale)
        }
        return try matmul(try softmax(logits), v)
    }
}
