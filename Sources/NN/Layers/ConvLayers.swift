/// `nn.Conv2d` / `nn.Conv3d` (dilation 1): keys `<prefix>.weight` `[out, in/groups, k...]` and, if `bias`,
/// `<prefix>.bias` `[out]`. `spatialDims` is 2 or 3; `kernel`, `stride`, `padding` take one value or one per axis.
public struct Conv: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int], padding: [Int], groups: Int

    public init(_ store: WeightStore, prefix: String, spatialDims: Int, inChannels: Int, outChannels: Int,
                kernel: [Int], stride: [Int] = [1], padding: [Int] = [0], groups: Int = 1, bias: Bool = true) throws {
        guard spatialDims == 2 || spatialDims == 3 else {
            throw NNError(.invalidArgument, "Conv '\(prefix)': spatialDims must be 2 or 3, got \(spatialDims)")
        }
        guard groups >= 1, inChannels % groups == 0, outChannels % groups == 0 else {
            throw NNError(.invalidArgument, "Conv '\(prefix)': channels \(inChannels)->\(outChannels) not divisible by groups \(groups)")
        }
        let k = try expand(kernel, to: spatialDims, name: "kernel")
        weight = try store.tensor(key(prefix, "weight"), shape: [outChannels, inChannels / groups] + k)
        self.bias = bias ? try store.tensor(key(prefix, "bias"), shape: [outChannels]) : nil
        self.stride = stride; self.padding = padding; self.groups = groups
    }

    /// A convolution from explicit tensors.
    public init(weight: Tensor, bias: Tensor?, stride: [Int] = [1], padding: [Int] = [0], groups: Int = 1) {
        self.weight = weight; self.bias = bias; self.stride = stride; self.padding = padding; self.groups = groups
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try Functional.conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
    }
}

/// `nn.ConvTranspose2d` / `nn.ConvTranspose3d` (groups 1, dilation 1): keys `<prefix>.weight`
/// `[in, out, k...]` and, if `bias`, `<prefix>.bias` `[out]`.
public struct ConvTranspose: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int], padding: [Int], outputPadding: [Int]

    public init(_ store: WeightStore, prefix: String, spatialDims: Int, inChannels: Int, outChannels: Int,
                kernel: [Int], stride: [Int] = [1], padding: [Int] = [0], outputPadding: [Int] = [0],
                bias: Bool = true) throws {
        guard spatialDims == 2 || spatialDims == 3 else {
            throw NNError(.invalidArgument, "ConvTranspose '\(prefix)': spatialDims must be 2 or 3, got \(spatialDims)")
        }
        let k = try expand(kernel, to: spatialDims, name: "kernel")
        weight = try store.tensor(key(prefix, "weight"), shape: [inChannels, outChannels] + k)
        self.bias = bias ? try store.tensor(key(prefix, "bias"), shape: [outChannels]) : nil
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
    }

    /// A transposed convolution from explicit tensors (weight `[in, out, k...]`).
    public init(weight: Tensor, bias: Tensor?, stride: [Int] = [1], padding: [Int] = [0], outputPadding: [Int] = [0]) {
        self.weight = weight; self.bias = bias; self.stride = stride; self.padding = padding
        self.outputPadding = outputPadding
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        try Functional.convTranspose(x, weight: weight, bias: bias, stride: stride, padding: padding,
                                     outputPadding: outputPadding)
    }
}

/// `nn.Linear`: keys `<prefix>.weight` `[out, in]` and, if `bias`, `<prefix>.bias` `[out]`.
public struct Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ store: WeightStore, prefix: String, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        weight = try store.tensor(key(prefix, "weight"), shape: [outFeatures, inFeatures])
        self.bias = bias ? try store.tensor(key(prefix, "bias"), shape: [outFeatures]) : nil
    }

    /// A linear layer from explicit tensors (weight `[out, in]`).
    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight; self.bias = bias
    }

    public func forward(_ x: Tensor) throws -> Tensor { try Functional.linear(x, weight: weight, bias: bias) }
}

extension Conv {
    /// This convolution with an eval-mode batch norm that follows it folded into its weights and bias:
    /// `bn(conv(x)) == conv.folding(bn)(x)` up to rounding, saving a full pass over the output.
    public func folding(_ bn: BatchNorm) throws -> Conv {
        let cout = weight.shape[0]
        guard bn.scale.count == cout else {
            throw NNError(.shapeMismatch, "cannot fold a BatchNorm over \(bn.scale.count) channels into a conv with \(cout) outputs")
        }
        let per = weight.count / cout
        var w = weight
        w.withUnsafeMutableBufferPointer { p in
            for co in 0..<cout { for i in 0..<per { p[co * per + i] *= bn.scale[co] } }
        }
        let b = try Tensor(shape: [cout], data: (0..<cout).map { co in
            (bias.map { $0.ptr[co] } ?? 0) * bn.scale[co] + bn.shift[co]
        })
        return Conv(weight: w, bias: b, stride: stride, padding: padding, groups: groups)
    }
}

extension Conv {
    /// This convolution followed by `epilogue` (activation, residual) fused into its output stage.
    public func forward(_ x: Tensor, epilogue: ConvEpilogue) throws -> Tensor {
        try Functional.conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups,
                            epilogue: epilogue)
    }
}

extension ConvTranspose {
    /// This transposed convolution with a following eval-mode batch norm folded into its weights and bias
    /// (output channel `co` is the weight's second axis).
    public func folding(_ bn: BatchNorm) throws -> ConvTranspose {
        let cin = weight.shape[0], cout = weight.shape[1]
        guard bn.scale.count == cout else {
            throw NNError(.shapeMismatch, "cannot fold a BatchNorm over \(bn.scale.count) channels into a transposed conv with \(cout) outputs")
        }
        let per = weight.count / (cin * cout)
        var w = weight
        w.withUnsafeMutableBufferPointer { p in
            for ci in 0..<cin { for co in 0..<cout { for i in 0..<per { p[(ci * cout + co) * per + i] *= bn.scale[co] } } }
        }
        let b = try Tensor(shape: [cout], data: (0..<cout).map { co in
            (bias.map { $0.ptr[co] } ?? 0) * bn.scale[co] + bn.shift[co]
        })
        return ConvTranspose(weight: w, bias: b, stride: stride, padding: padding, outputPadding: outputPadding)
    }

    /// This transposed convolution of the channel concatenation of `inputs`, followed by `epilogue`.
    public func forward(concatenating inputs: [Tensor], epilogue: ConvEpilogue) throws -> Tensor {
        try Functional.convTranspose(concatenating: inputs, weight: weight, bias: bias, stride: stride,
                                     padding: padding, outputPadding: outputPadding, epilogue: epilogue)
    }
}
