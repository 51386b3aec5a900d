/// `nn.BatchNorm2d/3d` in eval mode: keys `<prefix>.weight`, `.bias` (if `affine`), `.running_mean`,
/// `.running_var` (all `[channels]`); `.num_batches_tracked` is consumed if present.
/// The affine transform is folded into one scale and shift per channel at load time.
public struct BatchNorm: Layer {
    public let scale: [Float], shift: [Float]

    public init(_ store: WeightStore, prefix: String, channels: Int, eps: Float = 1e-5, affine: Bool = true) throws {
        let mean = try store.tensor(key(prefix, "running_mean"), shape: [channels])
        let variance = try store.tensor(key(prefix, "running_var"), shape: [channels])
        let w = affine ? try store.tensor(key(prefix, "weight"), shape: [channels]) : nil
        let b = affine ? try store.tensor(key(prefix, "bias"), shape: [channels]) : nil
        store.ignore(key(prefix, "num_batches_tracked"))
        var scale = [Float](repeating: 1, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let inv = 1 / (variance.ptr[c] + eps).squareRoot()
            let g = w.map { $0.ptr[c] } ?? 1
            scale[c] = g * inv
            shift[c] = (b.map { $0.ptr[c] } ?? 0) - mean.ptr[c] * g * inv
        }
        self.scale = scale; self.shift = shift
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 2, x.shape[1] == scale.count else {
            throw NNError(.shapeMismatch, "BatchNorm over \(scale.count) channels got input \(shapeString(x.shape))")
        }
        return Functional.channelAffine(x, scale: scale, shift: shift)
    }

    /// Batch norm followed by a fused activation in the same pass: `negativeSlope` 0 is ReLU, `s` is
    /// LeakyReLU(s), nil is none.
    public func forward(_ x: Tensor, negativeSlope: Float?) throws -> Tensor {
        guard x.rank >= 2, x.shape[1] == scale.count else {
            throw NNError(.shapeMismatch, "BatchNorm over \(scale.count) channels got input \(shapeString(x.shape))")
        }
        return Functional.channelAffine(x, scale: scale, shift: shift, negativeSlope: negativeSlope)
    }
}

/// `nn.InstanceNorm2d/3d` without running stats: keys `<prefix>.weight`, `.bias` `[channels]` if `affine`.
public struct InstanceNorm: Layer {
    public let weight: Tensor?, bias: Tensor?
    public let eps: Float

    public init(_ store: WeightStore, prefix: String, channels: Int, affine: Bool, eps: Float = 1e-5) throws {
        weight = affine ? try store.tensor(key(prefix, "weight"), shape: [channels]) : nil
        bias = affine ? try store.tensor(key(prefix, "bias"), shape: [channels]) : nil
        self.eps = eps
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try Functional.instanceNorm(x, weight: weight, bias: bias, eps: eps)
    }

    /// Instance norm followed by a fused activation in the same pass: `negativeSlope` 0 is ReLU, `s` is
    /// LeakyReLU(s), nil is none.
    public func forward(_ x: Tensor, negativeSlope: Float?) throws -> Tensor {
        try Functional.instanceNorm(x, weight: weight, bias: bias, eps: eps, negativeSlope: negativeSlope)
    }
}

/// `nn.LayerNorm(dim)` over the last dimension: keys `<prefix>.weight`, `.bias` `[dim]` if `affine`.
public struct LayerNorm: Layer {
    public let weight: Tensor?, bias: Tensor?
    public let eps: Float

    public init(_ store: WeightStore, prefix: String, dim: Int, eps: Float = 1e-5, affine: Bool = true) throws {
        weight = affine ? try store.tensor(key(prefix, "weight"), shape: [dim]) : nil
        bias = affine ? try store.tensor(key(prefix, "bias"), shape: [dim]) : nil
        self.eps = eps
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try Functional.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
