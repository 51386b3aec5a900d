import NN

/// A BasicUNet-3D-shaped forward (MONAI defaults: features 32,32,64,128,256,32; TwoConv = 2 × [conv3 → instance
/// norm → LeakyReLU 0.1]; max-pool down; transposed-conv k2 s2 up; concat [skip, up]) on random weights.
/// It is only a timing and memory proxy for the engine, not the real network (that lives in a plugin).
struct BasicUNetProxy {
    struct TwoConv {
        let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, g: Tensor, beta: Tensor
        init(_ cin: Int, _ cout: Int) {
            w1 = random([cout, cin, 3, 3, 3], scale: 0.1); b1 = random([cout])
            w2 = random([cout, cout, 3, 3, 3], scale: 0.1); b2 = random([cout])
            g = random([cout]); beta = random([cout])
        }
        func callAsFunction(_ x: Tensor) throws -> Tensor { try callAsFunction([x]) }

        /// The first conv reads the channel concatenation of `xs` in place.
        func callAsFunction(_ xs: [Tensor]) throws -> Tensor {
            var y = try Functional.conv(concatenating: xs, weight: w1, bias: b1, padding: [1])
            y = try Functional.instanceNorm(y, weight: g, bias: beta, negativeSlope: 0.1)
            y = try Functional.conv(y, weight: w2, bias: b2, padding: [1])
            return try Functional.instanceNorm(y, weight: g, bias: beta, negativeSlope: 0.1)
        }
    }

    static let f = [32, 32, 64, 128, 256, 32]
    let conv0: TwoConv, downs: [TwoConv], ups: [(Tensor, Tensor, TwoConv)], final: Tensor

    init() {
        let f = Self.f
        conv0 = TwoConv(1, f[0])
        downs = [TwoConv(f[0], f[1]), TwoConv(f[1], f[2]), TwoConv(f[2], f[3]), TwoConv(f[3], f[4])]
        // (in, skip, out) per up level, deepest first; the top level keeps its channels (halves=False).
        let levels = [(f[4], f[3], f[3]), (f[3], f[2], f[2]), (f[2], f[1], f[1]), (f[1], f[0], f[5])]
        ups = levels.map { (cin, skip, cout) in
            let upC = cin == f[1] ? cin : cin / 2
            return (random([cin, upC, 2, 2, 2], scale: 0.1), random([upC]), TwoConv(skip + upC, cout))
        }
        final = random([2, f[5], 1, 1, 1], scale: 0.1)
    }

    func forward(_ x: Tensor) throws -> Tensor {
        var skips = [try conv0(x)]
        for d in downs { skips.append(try d(try Functional.maxPool(skips.last!, kernel: [2]))) }
        var y = skips.removeLast()
        for (w, b, two) in ups {
            let up = try Functional.convTranspose(y, weight: w, bias: b, stride: [2])
            y = try two([skips.removeLast(), up])
        }
        return try Functional.conv(y, weight: final)
    }
}
