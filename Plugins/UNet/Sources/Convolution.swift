import NN

/// MONAI `Convolution` (conv, then ADN in "NDA" order) or a plain conv: keys `<prefix>.conv.*`,
/// `<prefix>.adn.N.*`, `<prefix>.adn.A.weight`.
struct ConvUnit {
    enum Op { case conv(Conv), transposed(ConvTranspose) }
    enum Norm { case none, batch(BatchNorm), instance(InstanceNorm) }
    let op: Op
    let norm: Norm
    let act: Activation
    /// The shared negative slope of the activation (PReLU with one slope, LeakyReLU, ReLU = 0), fused into the norm.
    let slope: Float?
    let preluWeight: Tensor?

    init(_ store: WeightStore, prefix: String, dims: Int, inChannels: Int, outChannels: Int, kernel: [Int],
         stride: Int, padding: [Int], outputPadding: [Int]? = nil, bias: Bool, norm: NormKind, act: Activation,
         convOnly: Bool) throws {
        let p = prefix + ".conv"
        if let outputPadding {
            op = .transposed(try ConvTranspose(store, prefix: p, spatialDims: dims, inChannels: inChannels,
                                               outChannels: outChannels, kernel: kernel, stride: [stride],
                                               padding: padding, outputPadding: outputPadding, bias: bias))
        } else {
            op = .conv(try Conv(store, prefix: p, spatialDims: dims, inChannels: inChannels, outChannels: outChannels,
                                kernel: kernel, stride: [stride], padding: padding, bias: bias))
        }
        let a = prefix + ".adn"
        switch convOnly ? .none : norm {
        case .none: self.norm = .none
        case .batch(let eps, let affine):
            self.norm = .batch(try BatchNorm(store, prefix: a + ".N", channels: outChannels, eps: eps, affine: affine))
        case .instance(let eps, let affine):
            self.norm = .instance(try InstanceNorm(store, prefix: a + ".N", channels: outChannels, affine: affine, eps: eps))
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
    }

    func forward(_ x: Tensor) throws -> Tensor {
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
        return y
    }
}

/// MONAI `ResidualUnit`: `subunits` Convolutions (the first with `stride`) plus a residual conv (k×k with the
/// stride when downsampling, 1×1 when only the channel count changes, identity otherwise).
struct ResidualUnit {
    let units: [ConvUnit]
    let residual: Conv?

    init(_ store: WeightStore, prefix: String, dims: Int, inChannels: Int, outChannels: Int, stride: Int,
         kernel: [Int], subunits: Int, bias: Bool, norm: NormKind, act: Activation, lastConvOnly: Bool) throws {
        let n = max(1, subunits)
        let pad = kernel.map { ($0 - 1) / 2 }
        var units: [ConvUnit] = []
        for i in 0..<n {
            units.append(try ConvUnit(store, prefix: "\(prefix).conv.unit\(i)", dims: dims,
                                      inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels,
                                      kernel: kernel, stride: i == 0 ? stride : 1, padding: pad, bias: bias,
                                      norm: norm, act: act, convOnly: lastConvOnly && i == n - 1))
        }
        self.units = units
        if stride != 1 || inChannels != outChannels {
            let k = stride == 1 ? [1] : kernel, p = stride == 1 ? [0] : pad
            residual = try Conv(store, prefix: prefix + ".residual", spatialDims: dims, inChannels: inChannels,
                                outChannels: outChannels, kernel: k, stride: [stride], padding: p, bias: bias)
        } else {
            residual = nil
        }
    }

    func forward(_ x: Tensor) throws -> Tensor {
        let res = try residual?.forward(x) ?? x
        var y = x
        for u in units { y = try u.forward(y) }
        return try Functional.add(y, res)
    }
}
