import NN
import SegModelKit

/// `monai.networks.nets.UNet` (MONAI 1.6.1): nested `Sequential(down, SkipConnection(sub), up)` levels.
/// Skips concatenate `[down, sub(down)]` at the lower resolution; the up path's transposed conv upsamples.
final class MonaiUNet: SegmentationNetwork {
    static let className = "monai.networks.nets.UNet"

    /// One layer of the U: `down` → `sub` (a deeper level or the bottom block) → concat → `up`.
    indirect enum Node {
        case level(down: Block, sub: Node, up: Block)
        case bottom(Block)
    }
    enum Block {
        case unit(ConvUnit)
        case residual(ResidualUnit)
        case upResidual(ConvUnit, ResidualUnit)

        func forward(_ x: Tensor) throws -> Tensor { try forward(concatenating: [x]) }

        /// The block on the channel concatenation of `inputs` (a conv unit reads them in place).
        func forward(concatenating inputs: [Tensor]) throws -> Tensor {
            switch self {
            case .unit(let u): try u.forward(concatenating: inputs)
            case .residual(let r): try r.forward(inputs.count == 1 ? inputs[0] : try Functional.concat(inputs, axis: 1))
            case .upResidual(let u, let r): try r.forward(try u.forward(concatenating: inputs))
            }
        }
    }

    let dims: Int, inChannels: Int, outChannels: Int
    /// Product of the strides: spatial sizes must be multiples of it.
    let divisor: Int
    let root: Node

    init(_ description: NetworkDescription, weights store: WeightStore) throws {
        var kw = Kwargs(description)
        let cls = description.className
        dims = try kw.int("spatial_dims")
        inChannels = try kw.int("in_channels")
        outChannels = try kw.int("out_channels")
        let channels = try kw.ints("channels")
        var strides = try kw.ints("strides")
        let kernel = try kw.ints("kernel_size", default: [Int](repeating: 3, count: dims), broadcast: dims)
        let upKernel = try kw.ints("up_kernel_size", default: [Int](repeating: 3, count: dims), broadcast: dims)
        let resUnits = try kw.int("num_res_units", default: 0)
        let act = try Activation.parse(kw.has("act") ? kw.raw("act") : .string("PRELU"), className: cls)
        let norm = try NormKind.parse(kw.has("norm") ? kw.raw("norm") : .string("INSTANCE"), className: cls)
        try requireNoDropout(&kw)
        let bias = try kw.bool("bias", default: true)
        let ordering = try kw.string("adn_ordering", default: "NDA")
        try kw.finish()
        func bad(_ m: String) -> ModelError { ModelError(.invalidNetworkDescription, "\(cls): \(m)") }
        guard dims == 2 || dims == 3 else { throw bad("spatial_dims must be 2 or 3, got \(dims)") }
        guard inChannels > 0, outChannels > 0, channels.count >= 2, channels.allSatisfy({ $0 > 0 }) else {
            throw bad("needs positive in/out channels and at least 2 positive `channels`, got \(channels)")
        }
        guard strides.count >= channels.count - 1, strides.allSatisfy({ $0 >= 1 }) else {
            throw bad("`strides` needs \(channels.count - 1) values >= 1, got \(strides)")
        }
        strides = Array(strides.prefix(channels.count - 1))
        for (name, k) in [("kernel_size", kernel), ("up_kernel_size", upKernel)] {
            guard k.count == dims, k.allSatisfy({ $0 >= 1 && $0 % 2 == 1 }) else {
                throw bad("kwarg \"\(name)\" = \(k) is not supported: needs \(dims) odd values")
            }
        }
        guard resUnits >= 0 else { throw bad("num_res_units must be >= 0, got \(resUnits)") }
        guard ordering.uppercased() == "NDA" else {
            throw bad("kwarg \"adn_ordering\" = \"\(ordering)\" is not supported in segd (only \"NDA\")")
        }
        if case .prelu(let n) = act, n != 1 {
            throw bad("kwarg \"act\": PReLU with num_parameters=\(n) is not supported (MONAI's default is 1)")
        }
        divisor = strides.reduce(1, *)

        let d = dims
        func down(_ p: String, _ i: Int, _ o: Int, _ s: Int) throws -> Block {
            if resUnits > 0 {
                return .residual(try ResidualUnit(store, prefix: p, dims: d, inChannels: i, outChannels: o, stride: s,
                                                  kernel: kernel, subunits: resUnits, bias: bias, norm: norm, act: act,
                                                  lastConvOnly: false))
            }
            return .unit(try ConvUnit(store, prefix: p, dims: d, inChannels: i, outChannels: o, kernel: kernel,
                                      stride: s, padding: kernel.map { ($0 - 1) / 2 }, bias: bias, norm: norm,
                                      act: act, convOnly: false))
        }
        func up(_ p: String, _ i: Int, _ o: Int, _ s: Int, top: Bool) throws -> Block {
            let conv = try ConvUnit(store, prefix: resUnits > 0 ? p + ".0" : p, dims: d, inChannels: i, outChannels: o,
                                    kernel: upKernel, stride: s, padding: upKernel.map { ($0 - 1) / 2 },
                                    outputPadding: [s - 1], bias: bias, norm: norm, act: act,
                                    convOnly: top && resUnits == 0)
            guard resUnits > 0 else { return .unit(conv) }
            return .upResidual(conv, try ResidualUnit(store, prefix: p + ".1", dims: d, inChannels: o, outChannels: o,
                                                      stride: 1, kernel: kernel, subunits: 1, bias: bias, norm: norm,
                                                      act: act, lastConvOnly: top))
        }
        func level(_ p: String, _ inc: Int, _ outc: Int, _ ch: ArraySlice<Int>, _ st: ArraySlice<Int>, top: Bool) throws -> Node {
            let c = ch[ch.startIndex], s = st[st.startIndex]
            let downBlock = try down(p + ".0", inc, c, s)
            let sub: Node, upc: Int
            if ch.count > 2 {
                sub = try level(p + ".1.submodule", c, c, ch.dropFirst(), st.dropFirst(), top: false)
                upc = 2 * c
            } else {
                let next = ch[ch.startIndex + 1]
                sub = .bottom(try down(p + ".1.submodule", c, next, 1))
                upc = c + next
            }
            return .level(down: downBlock, sub: sub, up: try up(p + ".2", upc, outc, s, top: top))
        }
        root = try level("model", inChannels, outChannels, channels[...], strides[...], top: true)
        try store.checkAllUsed()
    }

    func forward(_ input: Tensor) throws -> Tensor {
        try input.checkNetworkInput(spatialDims: dims, channels: inChannels, network: "UNet")
        guard input.shape.dropFirst(2).allSatisfy({ $0 % divisor == 0 }) else {
            throw ModelError(.unsupportedInput,
                             "UNet spatial sizes \(Array(input.shape.dropFirst(2))) must be multiples of \(divisor) (the product of the strides); pad or crop the input")
        }
        return try run(root, input)
    }

    private func run(_ node: Node, _ x: Tensor) throws -> Tensor {
        switch node {
        case .bottom(let b): return try b.forward(x)
        case .level(let down, let sub, let up):
            let d = try down.forward(x)
            let s = try run(sub, d)
            return try up.forward(concatenating: [d, s])
        }
    }
}
