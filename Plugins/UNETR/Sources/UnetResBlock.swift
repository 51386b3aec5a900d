import NN

/// MONAI `UnetResBlock` / `UnetBasicBlock` (dynunet_block) with instance norm (affine=False) and
/// LeakyReLU(0.01): conv1 → norm → lrelu → conv2 → norm (+ residual 1×1 conv → norm when channels change) → lrelu.
/// Convs have no bias; keys `<prefix>.conv1.conv.weight`, `.conv2.conv.weight`, `.conv3.conv.weight`.
struct UnetResBlock {
    static let slope: Float = 0.01
    let conv1: Conv, conv2: Conv, conv3: Conv?
    let residual: Bool
    let eps: Float = 1e-5

    init(_ store: WeightStore, prefix: String, dims: Int, inChannels: Int, outChannels: Int, residual: Bool) throws {
        conv1 = try Conv(store, prefix: prefix + ".conv1.conv", spatialDims: dims, inChannels: inChannels,
                         outChannels: outChannels, kernel: [3], padding: [1], bias: false)
        conv2 = try Conv(store, prefix: prefix + ".conv2.conv", spatialDims: dims, inChannels: outChannels,
                         outChannels: outChannels, kernel: [3], padding: [1], bias: false)
        conv3 = residual && inChannels != outChannels
            ? try Conv(store, prefix: prefix + ".conv3.conv", spatialDims: dims, inChannels: inChannels,
                       outChannels: outChannels, kernel: [1], bias: false)
            : nil
        self.residual = residual
    }

    func forward(_ x: Tensor) throws -> Tensor {
        let h = try Functional.instanceNorm(try conv1.forward(x), eps: eps, negativeSlope: Self.slope)
        let c2 = try conv2.forward(h)
        guard residual else { return try Functional.instanceNorm(c2, eps: eps, negativeSlope: Self.slope) }
        var y = try Functional.instanceNorm(c2, eps: eps)
        let r = try conv3.map { try Functional.instanceNorm(try $0.forward(x), eps: eps) } ?? x
        addLeakyReLU(&y, r, slope: Self.slope)
        return y
    }
}

/// `y = leaky_relu(y + r)` in place, in one pass.
func addLeakyReLU(_ y: inout Tensor, _ r: Tensor, slope: Float) {
    precondition(y.shape == r.shape)
    r.withUnsafeBufferPointer { rp in
        y.withUnsafeMutableBufferPointer { yp in
            for i in 0..<yp.count {
                let v = yp[i] + rp[i]
                yp[i] = v > 0 ? v : v * slope
            }
        }
    }
}
