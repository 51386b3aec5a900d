import NN

/// UTNet's pre-activation residual block (`BasicBlock` in `model/conv_trans_utils.py`):
/// `conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut(x)`, 3×3 convs without bias, where the shortcut is the
/// identity when the block keeps channels and stride, else `conv1x1(relu(bn(x)))` (keys `shortcut.0`, `shortcut.2`).
/// Note that `bn1` normalises the block's *input* channels.
struct ResidualBlock: Layer {
    let bn1: BatchNorm, conv1: Conv, bn2: BatchNorm, conv2: Conv
    let shortcut: (bn: BatchNorm, conv: Conv)?

    init(_ store: WeightStore, prefix: String, inChannels: Int, outChannels: Int, stride: Int = 1) throws {
        bn1 = try BatchNorm(store, prefix: prefix + ".bn1", channels: inChannels)
        conv1 = try Conv(store, prefix: prefix + ".conv1", spatialDims: 2, inChannels: inChannels,
                         outChannels: outChannels, kernel: [3], stride: [stride], padding: [1], bias: false)
        bn2 = try BatchNorm(store, prefix: prefix + ".bn2", channels: outChannels)
        conv2 = try Conv(store, prefix: prefix + ".conv2", spatialDims: 2, inChannels: outChannels,
                         outChannels: outChannels, kernel: [3], padding: [1], bias: false)
        if stride != 1 || inChannels != outChannels {
            shortcut = (try BatchNorm(store, prefix: prefix + ".shortcut.0", channels: inChannels),
                        try Conv(store, prefix: prefix + ".shortcut.2", spatialDims: 2, inChannels: inChannels,
                                 outChannels: outChannels, kernel: [1], stride: [stride], bias: false))
        } else {
            shortcut = nil
        }
    }

    func forward(_ x: Tensor) throws -> Tensor {
        var h = try conv1.forward(try bn1.forward(x, negativeSlope: 0))
        h = try conv2.forward(try bn2.forward(h, negativeSlope: 0))
        let residue = try shortcut.map { try $0.conv.forward(try $0.bn.forward(x, negativeSlope: 0)) } ?? x
        return try Functional.add(h, residue)
    }
}

/// Helpers for the depthwise-separable convolutions of UTNet's attention (`depthwise_separable_conv`:
/// a depthwise 3×3 then a pointwise 1×1, both without bias; keys `<prefix>.depthwise`, `<prefix>.pointwise`).
struct SeparableConv: Layer {
    let depthwise: Conv, pointwise: Conv

    init(_ store: WeightStore, prefix: String, inChannels: Int, outChannels: Int) throws {
        depthwise = try Conv(store, prefix: prefix + ".depthwise", spatialDims: 2, inChannels: inChannels,
                             outChannels: inChannels, kernel: [3], padding: [1], groups: inChannels, bias: false)
        pointwise = try Conv(store, prefix: prefix + ".pointwise", spatialDims: 2, inChannels: inChannels,
                             outChannels: outChannels, kernel: [1], bias: false)
    }

    func forward(_ x: Tensor) throws -> Tensor { try pointwise.forward(try depthwise.forward(x)) }
}
