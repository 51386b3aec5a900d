import Dispatch
import Imaging

/// An affine map from the integer index of one grid to the continuous index of another:
/// `p(i0, i1, i2) = base + i0·step0 + i1·step1 + i2·step2`.
struct IndexMap: Sendable {
    var base: Vector3
    var step0: Vector3
    var step1: Vector3
    var step2: Vector3

    /// Index of `from` → continuous index of `to` (both LPS grids).
    init(from: Geometry, to: Geometry) {
        base = to.continuousIndex(of: from.point(i: 0, j: 0, k: 0))
        step0 = to.continuousIndex(of: from.point(i: 1, j: 0, k: 0)) - base
        step1 = to.continuousIndex(of: from.point(i: 0, j: 1, k: 0)) - base
        step2 = to.continuousIndex(of: from.point(i: 0, j: 0, k: 1)) - base
    }

    @inline(__always) func callAsFunction(_ i0: Int, _ i1: Int, _ i2: Int) -> Vector3 {
        base + step0 * Double(i0) + step1 * Double(i1) + step2 * Double(i2)
    }
}

/// Trilinear interpolation with PyTorch `grid_sample(padding_mode="border")` semantics: the continuous index is
/// clamped to [0, n − 1] per axis, then the 8 neighbours are weighted. `stride[a]` is the memory stride of
/// index axis a, so the same sampler serves x-fastest volumes and C-order model-space buffers.
struct TrilinearSampler: Sendable {
    let size: SIMD3<Int>
    let stride: SIMD3<Int>

    /// The 8 memory offsets and weights for continuous index `p`.
    @inline(__always) func taps(_ p: Vector3) -> (SIMD8<Int>, SIMD8<Float>) {
        var lo = SIMD3<Int>(), hi = SIMD3<Int>(), f = Vector3()
        for a in 0..<3 {
            let n = size[a]
            let c = min(max(p[a], 0), Double(n - 1))
            let l = min(Int(c), n - 1)  // c ≥ 0, so truncation is floor
            lo[a] = l * stride[a]
            hi[a] = min(l + 1, n - 1) * stride[a]
            f[a] = c - Double(l)
        }
        let offsets = SIMD8<Int>(
            lo.x + lo.y + lo.z, hi.x + lo.y + lo.z, lo.x + hi.y + lo.z, hi.x + hi.y + lo.z,
            lo.x + lo.y + hi.z, hi.x + lo.y + hi.z, lo.x + hi.y + hi.z, hi.x + hi.y + hi.z)
        let gx = 1 - f.x, gy = 1 - f.y, gz = 1 - f.z
        let weights = SIMD8<Double>(
            gx * gy * gz, f.x * gy * gz, gx * f.y * gz, f.x * f.y * gz,
            gx * gy * f.z, f.x * gy * f.z, gx * f.y * f.z, f.x * f.y * f.z)
        return (offsets, SIMD8<Float>(weights))
    }

    @inline(__always) static func apply(_ values: UnsafePointer<Float>, _ taps: (SIMD8<Int>, SIMD8<Float>)) -> Float {
        let (o, w) = taps
        var s = values[o[0]] * w[0]
        for t in 1..<8 { s += values[o[t]] * w[t] }
        return s
    }
}

/// Runs `body(i)` for i in 0..<count on all cores. `body` must only touch disjoint memory per i.
func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }
}

/// Steps 2 and 3 of separable back-resampling for single source rows, with the index and weight tables of the
/// two in-plane axes in flat buffers that every thread reads.
struct RowResampler: @unchecked Sendable {
    private let xlo: UnsafeMutablePointer<Int>, xhi: UnsafeMutablePointer<Int>, xw: UnsafeMutablePointer<Float>
    private let ylo: UnsafeMutablePointer<Int>, yhi: UnsafeMutablePointer<Int>, yw: UnsafeMutablePointer<Float>
    /// Source row length, model row length (along the model axis of source x) and model plane size.
    let nx: Int, px: Int, planeCount: Int
    let channels: Int

    init(x: AxisTaps, y: AxisTaps, px: Int, planeCount: Int, channels: Int) {
        func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: a.count)
            p.initialize(from: a, count: a.count)
            return p
        }
        (xlo, xhi, xw) = (copy(x.lo), copy(x.hi), copy(x.weight))
        (ylo, yhi, yw) = (copy(y.lo), copy(y.hi), copy(y.weight))
        nx = x.lo.count
        self.px = px
        self.planeCount = planeCount
        self.channels = channels
    }

    func deallocate() {
        for p in [xlo, xhi, ylo, yhi] { p.deallocate() }
        xw.deallocate()
        yw.deallocate()
    }

    /// Source row j from `plane` ([c][model row along source y][px], step 1's output for one source slice): per
    /// channel, lerp along y into `row` (px values), then along x into `out + c·channelStride` (nx values).
    @inline(__always)
    func run(_ j: Int, plane: UnsafePointer<Float>, row: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
             channelStride: Int) {
        let y0 = ylo[j], y1 = yhi[j], wy = yw[j]
        for c in 0..<channels {
            let p = plane + c * planeCount
            let r0 = p + y0 * px, r1 = p + y1 * px
            for a in 0..<px { row[a] = r0[a] + (r1[a] - r0[a]) * wy }
            let o = out + c * channelStride
            for i in 0..<nx {
                let v0 = row[xlo[i]], v1 = row[xhi[i]]
                o[i] = v0 + (v1 - v0) * xw[i]
            }
        }
    }
}
