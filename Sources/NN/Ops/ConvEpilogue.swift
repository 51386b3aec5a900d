/// What a convolution does to each output value while its GEMM tile is still in cache: after the bias, an
/// optional (leaky) ReLU with a per-channel negative slope, then an optional residual added. This replaces the
/// separate full-tensor passes of `conv → batch norm (folded into the conv) → activation → + residual`.
public struct ConvEpilogue: Sendable {
    /// Negative slope per output channel (0 = ReLU, s = LeakyReLU(s) or single-slope PReLU, 1 = unchanged);
    /// nil applies no activation.
    public var negativeSlopes: [Float]?
    /// Added after the activation; must have the convolution's output shape.
    public var residual: Tensor?

    public init(negativeSlopes: [Float]? = nil, residual: Tensor? = nil) {
        self.negativeSlopes = negativeSlopes
        self.residual = residual
    }

    /// One slope for all `channels` output channels (nil: no activation).
    public init(channels: Int, negativeSlope: Float?, residual: Tensor? = nil) {
        self.init(negativeSlopes: negativeSlope.map { [Float](repeating: $0, count: channels) }, residual: residual)
    }

    public static let none = ConvEpilogue()
    var isNone: Bool { negativeSlopes == nil && residual == nil }
}

/// Where a convolution's output channels go: one plane pointer per (batch, channel), the bias and the
/// epilogue. Kernels hand it finished GEMM rows with `store`; it adds the bias, activates, adds the residual.
/// Its tables are raw pointers (owned by `tables`), so the per-row `store` does no reference counting.
struct ConvSink {
    /// Owns the plane-pointer and slope tables below.
    final class Tables {
        let planes: UnsafeMutableBufferPointer<UnsafeMutablePointer<Float>>
        let slopes: UnsafeMutableBufferPointer<Float>?
        init(planes: [UnsafeMutablePointer<Float>], slopes: [Float]?) {
            self.planes = .allocate(capacity: planes.count)
            _ = self.planes.initialize(from: planes)
            self.slopes = slopes.map { s in
                let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: s.count)
                _ = b.initialize(from: s)
                return b
            }
        }
        deinit { planes.deallocate(); slopes?.deallocate() }
    }
    let tables: Tables
    /// Output plane of (b, co) at index `b * cout + co`.
    let planes: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    let cout: Int
    let bias: UnsafePointer<Float>?
    let slopes: UnsafePointer<Float>?
    /// Contiguous [N, Cout, plane] residual, or nil.
    let residual: UnsafePointer<Float>?
    let plane: Int
    /// The single contiguous output tensor's base, when the outputs are not split.
    let contiguous: UnsafeMutablePointer<Float>?

    init(tables: Tables, cout: Int, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, plane: Int,
         contiguous: UnsafeMutablePointer<Float>?) {
        self.tables = tables
        planes = tables.planes.baseAddress!
        slopes = tables.slopes.map { UnsafePointer($0.baseAddress!) }
        self.cout = cout; self.bias = bias; self.residual = residual; self.plane = plane; self.contiguous = contiguous
    }

    /// No activation or residual and one contiguous output: kernels may write the output directly.
    var isPlain: Bool { slopes == nil && residual == nil && contiguous != nil }

    /// `out[b, co][offset ..< offset + count] = act(src[0 ..< count] + bias[co]) + residual[b, co][offset...]`.
    /// `src` may be the destination itself (in-place finish).
    @inline(__always)
    func store(batch b: Int, channel co: Int, offset: Int, from src: UnsafePointer<Float>, count n: Int) {
        let d = planes[b * cout + co] + offset
        let bv = bias?[co] ?? 0
        let r = residual.map { $0 + (b * cout + co) * plane + offset }
        switch (slopes, r) {
        case (nil, nil):
            for i in 0..<n { d[i] = src[i] + bv }
        case (let s?, nil):
            let a = s[co]
            for i in 0..<n { let v = src[i] + bv; d[i] = v > 0 ? v : v * a }
        case (nil, let r?):
            for i in 0..<n { d[i] = src[i] + bv + r[i] }
        case (let s?, let r?):
            let a = s[co]
            for i in 0..<n { let v = src[i] + bv; d[i] = (v > 0 ? v : v * a) + r[i] }
        }
    }
}

extension Functional {
    /// `conv` followed by `epilogue` (activation with per-channel slopes, then a residual), fused into the
    /// convolution's output stage. With a batch norm folded into `weight` and `bias` (`Conv.folding`), this is
    /// `conv → BN → act (→ + residual)` in one pass over the output.
    public static func conv(
        _ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int] = [1], padding: [Int] = [0], groups: Int = 1,
        epilogue: ConvEpilogue
    ) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups, epilogue: epilogue,
                 split: nil, tileElements: defaultConvTileElements)[0]
    }

    /// `conv` with `epilogue` whose output channels are returned as separate tensors of `splitChannels`
    /// channels each (in order; they must sum to the output channel count). Stacking two convolutions of the
    /// same input into one weight (e.g. a residual unit's first conv and its residual conv) runs one GEMM with
    /// twice the rows over one im2col tile; the split then costs nothing. The epilogue may not hold a residual.
    public static func conv(
        _ x: Tensor, weight: Tensor, bias: Tensor?, stride: [Int] = [1], padding: [Int] = [0],
        epilogue: ConvEpilogue = .none, splitChannels: [Int]
    ) throws -> [Tensor] {
        try conv(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: 1, epilogue: epilogue,
                 split: splitChannels, tileElements: defaultConvTileElements)
    }

    /// Output tensors (one, or one per split) and the sink writing into them; checks the epilogue's shapes.
    static func makeSink(_ s: ConvShape, rank: Int, bias: Tensor?, epilogue: ConvEpilogue, split: [Int]?)
        throws -> ([Tensor], ConvSink)
    {
        let spatial = rank == 5 ? [s.od, s.oh, s.ow] : [s.oh, s.ow]
        let parts = split ?? [s.cout]
        guard parts.allSatisfy({ $0 > 0 }), parts.reduce(0, +) == s.cout else {
            throw NNError(.invalidArgument, "conv output split \(parts) does not sum to \(s.cout) channels")
        }
        if let sl = epilogue.negativeSlopes, sl.count != s.cout {
            throw NNError(.shapeMismatch, "conv epilogue has \(sl.count) slopes for \(s.cout) output channels")
        }
        let outs = parts.map { Tensor(uninitialized: [s.n, $0] + spatial) }
        if let r = epilogue.residual {
            guard split == nil, r.shape == outs[0].shape else {
                throw NNError(.shapeMismatch, "conv residual \(shapeString(r.shape)) does not match the output \(shapeString([s.n, s.cout] + spatial))\(split == nil ? "" : " (or the output is split)")")
            }
        }
        var planes: [UnsafeMutablePointer<Float>] = []
        planes.reserveCapacity(s.n * s.cout)
        for b in 0..<s.n {
            for t in outs { for c in 0..<t.shape[1] { planes.append(t.ptr + (b * t.shape[1] + c) * s.outPlane) } }
        }
        let sink = ConvSink(tables: ConvSink.Tables(planes: planes, slopes: epilogue.negativeSlopes), cout: s.cout,
                            bias: bias.map { UnsafePointer($0.ptr) }, residual: epilogue.residual.map { UnsafePointer($0.ptr) },
                            plane: s.outPlane, contiguous: outs.count == 1 ? outs[0].ptr : nil)
        return (outs, sink)
    }
}
