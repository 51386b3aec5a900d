import NN

/// MONAI `Convolution` (conv, then ADN in "NDA" order) or a plain conv: keys `<prefix>.conv.*`,
/// `<prefix>.adn.N.*`, `<prefix>.adn.A.weight`.
///
/// A conv followed by batch norm (or no norm) runs as one fused op: the eval-mode batch norm is folded into
/// the conv's weights and bias at load time, and the activation (and a residual, if the caller has one) is
/// applied by the conv's epilogue while each output tile is in cache.
struct ConvUnit {
    enum Op { case conv(Conv), transposed(ConvTranspose) }
    enum Norm { case none, batch(BatchNorm), instance(InstanceNorm) }
    let op: Op
    /// The norm still to apply after the op (`.none` once a batch norm is folded into a conv).
    let norm: Norm
    let act: Activation
    /// The shared negative slope of the activation (PReLU with one slope, LeakyReLU, ReLU = 0), fused into the norm.
    let slope: Float?
    let preluWeight: Tensor?
    /// Set when the whole unit is the (transposed) conv plus an epilogue.
    let fused: Fused?
    struct Fused {
        /// Per-channel negative slopes of the activation (nil: no activation).
        var slopes: [Float]?
    }

    init(_ store: WeightStore, prefix: String, dims: Int, inChannels: Int, outChannels: Int, kernel: [Int],
         stride: Int, padding: [Int], outputPadding: [Int]? = nil, bias: Bool, norm: NormKind, act: Activation,
         convOnly: Bool) throws {
        let p = prefix + ".conv"
        var op: Op
        if let outputPadding {
            op = .transposed(try ConvTranspose(store, prefix: p, spatialDims: dims, inChannels: inChannels,
                                               outChannels: outChannels, kernel: kernel, stride: [stride],
                                               padding: padding, outputPadding: outputPadding, bias: bias))
        } else {
            op = .conv(try Conv(store, prefix: p, spatialDims: dims, inChannels: inChannels, outChannels: outChannels,
                                kernel: kernel, stride: [stride], padding: padding, bias: bias))
        }
        let a = prefix + ".adn"
        var normOp: Norm
        switch convOnly ? .none : norm {
        case .none: normOp = .none
        case .batch(let eps, let affine):
            normOp = .batch(try BatchNorm(store, prefix: a + ".N", channels: outChannels, eps: eps, affine: affine))
        case .instance(let eps, let affine):
            normOp = .instance(try InstanceNorm(store, prefix: a + ".N", channels: outChannels, affine: affine, eps: eps))
        }
        self.act = convOnly ? .none : act
        var w: Tensor?
        switch self.act {
        case .none: slope = nil
        case .relu: slope = 0
        case .leakyReLU(let s): slope = s
        case .prelu(let n):
            let t = try PReLU(store, prefix: a + ".A", numParameters: n).weight
            if n == 1 { slope = t.withUnsafeBufferPointer { $0[0] } } else { slope = nil; w = t }
        }
        preluWeight = w
        // Fold a batch norm into a conv; the activation goes into the conv's epilogue.
        var fused: Fused?
        switch normOp {
        case .instance: break
        case .none: fused = Fused()
        case .batch(let bn):
            switch op {
            case .conv(let c): op = .conv(try c.folding(bn))
            case .transposed(let c): op = .transposed(try c.folding(bn))
            }
            normOp = .none
            fused = Fused()
        }
        if fused != nil {
            if let w { fused = Fused(slopes: w.toArray()) } else if let slope {
                fused = Fused(slopes: [Float](repeating: slope, count: outChannels))
            }
        }
        self.op = op
        self.norm = normOp
        self.fused = fused
    }

    /// `unit(x)`, plus `residual` (same shape as the output) if given.
    func forward(_ x: Tensor, residual: Tensor? = nil) throws -> Tensor {
        try forward(concatenating: [x], residual: residual)
    }

    /// `unit(concat(inputs, axis: 1))`, plus `residual` if given. Fused units do not copy the concatenation.
    func forward(concatenating inputs: [Tensor], residual: Tensor? = nil) throws -> Tensor {
        if let fused {
            let epilogue = ConvEpilogue(negativeSlopes: fused.slopes, residual: residual)
            switch op {
            case .conv(let c):
                if inputs.count == 1 { return try c.forward(inputs[0], epilogue: epilogue) }
                return try Functional.conv(concatenating: inputs, weight: c.weight, bias: c.bias, stride: c.stride,
                                           padding: c.padding, epilogue: epilogue)
            case .transposed(let c): return try c.forward(concatenating: inputs, epilogue: epilogue)
            }
        }
        let x = inputs.count == 1 ? inputs[0] : try Functional.concat(inputs, axis: 1)
        var y: Tensor
        switch op {
        case .conv(let c): y = try c.forward(x)
        case .transposed(let c): y = try c.forward(x)
        }
        let fuse = preluWeight == nil ? slope : nil
        switch norm {
        case .none:
            if let fuse { y = Functional.leakyReLU(y, slope: fuse) }
        case .batch(let bn): y = try bn.forward(y, negativeSlope: fuse)
        case .instance(let inorm): y = try inorm.forward(y, negativeSlope: fuse)
        }
        if let preluWeight { y = try Functional.prelu(y, weight: preluWeight) }
        if let residual { y = try Functional.add(y, residual) }
        return y
    }
}
