import NN
import SegModelKit

/// `monai.networks.nets.BasicUNet` (MONAI 1.6.1): TwoConv blocks, max-pool downsampling, deconv upsampling
/// with `[skip, upsampled]` concatenation, and a final 1×1 conv.
final class MonaiBasicUNet: SegmentationNetwork {
    static let className = "monai.networks.nets.BasicUNet"

    struct TwoConv {
        let c0: ConvUnit, c1: ConvUnit
        init(_ s: WeightStore, _ p: String, _ d: Int, _ i: Int, _ o: Int, _ bias: Bool, _ n: NormKind, _ a: Activation) throws {
            c0 = try ConvUnit(s, prefix: p + ".conv_0", dims: d, inChannels: i, outChannels: o, kernel: [3], stride: 1,
                              padding: [1], bias: bias, norm: n, act: a, convOnly: false)
            c1 = try ConvUnit(s, prefix: p + ".conv_1", dims: d, inChannels: o, outChannels: o, kernel: [3], stride: 1,
                              padding: [1], bias: bias, norm: n, act: a, convOnly: false)
        }
        func forward(_ x: Tensor) throws -> Tensor { try c1.forward(try c0.forward(x)) }
    }

    struct UpCat {
        let deconv: ConvTranspose, convs: TwoConv
        init(_ s: WeightStore, _ p: String, _ d: Int, _ i: Int, _ cat: Int, _ o: Int, halves: Bool, _ bias: Bool,
             _ n: NormKind, _ a: Activation) throws {
            let up = halves ? i / 2 : i
            deconv = try ConvTranspose(s, prefix: p + ".upsample.deconv", spatialDims: d, inChannels: i, outChannels: up,
                                       kernel: [2], stride: [2], bias: true)
            convs = try TwoConv(s, p + ".convs", d, cat + up, o, bias, n, a)
        }
        func forward(_ x: Tensor, skip: Tensor) throws -> Tensor {
            var u = try deconv.forward(x)
            // Replicate-pad one voxel at the end of every axis where the skip is larger (odd sizes), like MONAI.
            var pad: [Int] = []
            for axis in (2..<u.rank).reversed() { pad += [0, skip.shape[axis] != u.shape[axis] ? 1 : 0] }
            if pad.contains(1) { u = try Functional.replicatePad(u, pad) }
            return try convs.forward(try Functional.concat([skip, u], axis: 1))
        }
    }

    let dims: Int, inChannels: Int
    let conv0: TwoConv
    let downs: [TwoConv]
    let ups: [UpCat]
    let final: Conv

    init(_ description: NetworkDescription, weights store: WeightStore) throws {
        var kw = Kwargs(description)
        let cls = description.className
        dims = try kw.int("spatial_dims", default: 3)
        inChannels = try kw.int("in_channels", default: 1)
        let outChannels = try kw.int("out_channels", default: 2)
        let f = try kw.ints("features", default: [32, 32, 64, 128, 256, 32], broadcast: 6)
        let act = try Activation.parse(kw.has("act") ? kw.raw("act")
                                       : .array([.string("LeakyReLU"), .object(["negative_slope": .number(0.1)])]),
                                       className: cls)
        let norm = try NormKind.parse(kw.has("norm") ? kw.raw("norm")
                                      : .array([.string("instance"), .object(["affine": .bool(true)])]), className: cls)
        let bias = try kw.bool("bias", default: true)
        try requireNoDropout(&kw)
        let upsample = try kw.string("upsample", default: "deconv")
        try kw.finish()
        guard dims == 2 || dims == 3 else {
            throw ModelError(.invalidNetworkDescription, "\(cls): spatial_dims must be 2 or 3, got \(dims)")
        }
        guard f.count == 6, f.allSatisfy({ $0 > 0 }), inChannels > 0, outChannels > 0 else {
            throw ModelError(.invalidNetworkDescription, "\(cls): \"features\" needs 6 positive values, got \(f)")
        }
        guard upsample == "deconv" else {
            throw ModelError(.invalidNetworkDescription,
                             "\(cls) kwarg \"upsample\" = \"\(upsample)\" is not supported in segd (only \"deconv\")")
        }
        if case .prelu(let n) = act, n != 1 {
            throw ModelError(.invalidNetworkDescription, "\(cls) kwarg \"act\": PReLU with num_parameters=\(n) is not supported")
        }
        let d = dims
        conv0 = try TwoConv(store, "conv_0", d, inChannels, f[0], bias, norm, act)
        downs = try (1...4).map { try TwoConv(store, "down_\($0).convs", d, f[$0 - 1], f[$0], bias, norm, act) }
        ups = [
            try UpCat(store, "upcat_4", d, f[4], f[3], f[3], halves: true, bias, norm, act),
            try UpCat(store, "upcat_3", d, f[3], f[2], f[2], halves: true, bias, norm, act),
            try UpCat(store, "upcat_2", d, f[2], f[1], f[1], halves: true, bias, norm, act),
            try UpCat(store, "upcat_1", d, f[1], f[0], f[5], halves: false, bias, norm, act),
        ]
        final = try Conv(store, prefix: "final_conv", spatialDims: d, inChannels: f[5], outChannels: outChannels,
                         kernel: [1])
        try store.checkAllUsed()
    }

    func forward(_ input: Tensor) throws -> Tensor {
        try input.checkNetworkInput(spatialDims: dims, channels: inChannels, network: "BasicUNet")
        guard input.shape.dropFirst(2).allSatisfy({ $0 >= 16 }) else {
            throw ModelError(.unsupportedInput,
                             "BasicUNet needs spatial sizes of at least 16 (4 max-pool levels), got \(Array(input.shape.dropFirst(2)))")
        }
        var skips = [try conv0.forward(input)]
        for down in downs {
            skips.append(try down.forward(try Functional.maxPool(skips[skips.count - 1], kernel: [2])))
        }
        var x = skips.removeLast()
        for up in ups { x = try up.forward(x, skip: skips.removeLast()) }
        return try final.forward(x)
    }
}
