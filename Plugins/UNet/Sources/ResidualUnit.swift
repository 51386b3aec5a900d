import NN

/// MONAI `ResidualUnit`: `subunits` Convolutions (the first with `stride`) plus a residual conv (k×k with the
/// stride when downsampling, 1×1 when only the channel count changes, identity otherwise).
///
/// The residual is added in the last sub-unit's conv epilogue. When downsampling, the residual conv reads the
/// same input with the same kernel, stride and padding as the first sub-unit's conv, so both run as one
/// stacked conv (twice the output channels over one im2col tile) whose output is split in two.
struct ResidualUnit {
    let units: [ConvUnit]
    let residual: Conv?
    /// First sub-unit's conv stacked over the residual conv, and its per-channel slopes (residual half: 1).
    let stacked: (conv: Conv, slopes: [Float]?)?

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
        stacked = try Self.stack(units, residual)
    }

    /// The first unit's fused conv on top of the residual conv, when they share input geometry and the first
    /// unit is not also the last (which needs the residual in its own epilogue).
    static func stack(_ units: [ConvUnit], _ residual: Conv?) throws -> (conv: Conv, slopes: [Float]?)? {
        guard units.count >= 2, let r = residual, let fused = units[0].fused, case .conv(let c) = units[0].op,
              c.weight.shape == r.weight.shape, c.stride == r.stride, c.padding == r.padding,
              c.groups == 1, r.groups == 1 else { return nil }
        let cout = c.weight.shape[0]
        let weight = try Tensor(shape: [2 * cout] + c.weight.shape.dropFirst(), data: c.weight.toArray() + r.weight.toArray())
        let zeros = [Float](repeating: 0, count: cout)
        let bias = try Tensor(shape: [2 * cout], data: (c.bias?.toArray() ?? zeros) + (r.bias?.toArray() ?? zeros))
        let slopes = fused.slopes.map { $0 + [Float](repeating: 1, count: cout) }
        return (Conv(weight: weight, bias: bias, stride: c.stride, padding: c.padding), slopes)
    }

    func forward(_ x: Tensor) throws -> Tensor {
        var y: Tensor, res: Tensor
        var rest = units[...]
        if let stacked {
            let c = stacked.conv
            let parts = try Functional.conv(x, weight: c.weight, bias: c.bias, stride: c.stride, padding: c.padding,
                                            epilogue: ConvEpilogue(negativeSlopes: stacked.slopes),
                                            splitChannels: [c.weight.shape[0] / 2, c.weight.shape[0] / 2])
            y = parts[0]; res = parts[1]
            rest = rest.dropFirst()
        } else {
            res = try residual?.forward(x) ?? x
            y = x
        }
        for (i, u) in zip(rest.indices, rest) { y = try u.forward(y, residual: i == units.count - 1 ? res : nil) }
        return y
    }
}
