import Imaging

/// The grid a model sees: the source grid reoriented to the model's axis codes (MONAI `Orientation`, an exact
/// permutation/flip of axes) and then resampled to the model's spacing (MONAI `Spacing`, `diagonal=False`,
/// `scale_extent=False`).
///
/// Model-space buffers are laid out as MONAI's arrays: C-order over (axis 0, axis 1, axis 2), axis 2 fastest,
/// channels outermost. Axis j of model space is axis j of `geometry` (so `geometry.size[j]` is its length), and
/// a network sees D = axis 0, H = axis 1, W = axis 2, as MONAI's networks do after `LoadImage` + `Orientation`.
public struct ModelSpaceGrid: Sendable {
    /// The source series' grid (LPS).
    public let source: Geometry
    /// The source grid after reorientation only.
    public let reoriented: Geometry
    /// The model-space grid (LPS). Its direction may be left-handed (e.g. for "RAS").
    public let geometry: Geometry
    /// Model axis j comes from source axis `sourceAxis[j]`…
    public let sourceAxis: SIMD3<Int>
    /// …reversed when `flipped[j]`.
    public let flipped: [Bool]

    /// Tolerance under which MONAI's `Spacing` keeps the source spacing (`AFFINE_TOL`).
    public static let spacingTolerance = 1e-3

    public init(source: Geometry, orientation: AxisCodes, spacing: Vector3?) throws(ModelError) {
        guard source.size.x > 0, source.size.y > 0, source.size.z > 0, source.direction.inverse != nil,
              source.spacing.min() > 0 else {
            throw ModelError(.invalidGeometry, "the source grid is empty or degenerate; cannot map it to model space")
        }
        // MONAI's Spacing (diagonal=False) keeps the rotation of an orthonormal direction; a sheared grid (e.g. an
        // uncorrected gantry tilt) would need a different, shear-removing grid, which segd does not build.
        let d = source.direction
        for a in 0..<3 {
            for b in a..<3 where abs(d[column: a].dot(d[column: b]) - (a == b ? 1 : 0)) > 1e-4 {
                throw ModelError(.invalidGeometry,
                                 "the series' axes are not orthonormal (a sheared grid, e.g. gantry tilt); resample it to an orthogonal grid first")
            }
        }
        self.source = source
        (sourceAxis, flipped) = Self.axisMapping(direction: source.direction, to: orientation)
        var size = SIMD3<Int>(), sp = Vector3(), origin = source.origin
        var cols = [Vector3](repeating: .zero, count: 3)
        for j in 0..<3 {
            let a = sourceAxis[j]
            let column = source.direction[column: a]
            size[j] = source.size[a]
            sp[j] = source.spacing[a]
            cols[j] = flipped[j] ? -column : column
            if flipped[j] { origin += column * (source.spacing[a] * Double(source.size[a] - 1)) }
        }
        let direction = Matrix3(columns: cols[0], cols[1], cols[2])
        reoriented = Geometry(size: size, spacing: sp, origin: origin, direction: direction)
        guard let target = spacing else {
            geometry = reoriented
            return
        }
        // MONAI `Spacing`: keep the source spacing when within AFFINE_TOL of the target (or when the target is
        // non-positive); output shape = round((n − 1)·s_in/s_out + 1) with NumPy's round-half-to-even; the corner
        // voxel (0,0,0) keeps its position, so the origin is unchanged.
        var outSpacing = sp, outSize = size
        for j in 0..<3 {
            let t = target[j]
            let s = (t <= 0 || abs(sp[j] - t) <= Self.spacingTolerance) ? sp[j] : t
            outSpacing[j] = s
            let extent = Double(size[j] - 1) * sp[j] / s + 1
            outSize[j] = max(1, Int(extent.rounded(.toNearestOrEven)))
        }
        geometry = Geometry(size: outSize, spacing: outSpacing, origin: origin, direction: direction)
    }

    /// nibabel `io_orientation` + `ornt_transform`, as MONAI `Orientation` uses them: for each source axis in
    /// order, the world axis it runs along most (axes already taken are excluded); then the model axis that
    /// wants that world axis, and whether the direction must be reversed.
    static func axisMapping(direction: Matrix3, to codes: AxisCodes) -> (SIMD3<Int>, [Bool]) {
        var m = direction.rowMajor  // m[row * 3 + col]
        var worldOfSource = SIMD3<Int>(), signOfSource = SIMD3<Int>()
        for sourceAxis in 0..<3 {
            var best = 0
            for row in 1..<3 where abs(m[row * 3 + sourceAxis]) > abs(m[best * 3 + sourceAxis]) { best = row }
            worldOfSource[sourceAxis] = best
            signOfSource[sourceAxis] = m[best * 3 + sourceAxis] < 0 ? -1 : 1
            for col in 0..<3 { m[best * 3 + col] = 0 }
        }
        var axis = SIMD3<Int>(), flip = [false, false, false]
        for j in 0..<3 {
            for a in 0..<3 where worldOfSource[a] == codes.worldAxis[j] {
                axis[j] = a
                flip[j] = signOfSource[a] != codes.lpsSign[j]
            }
        }
        return (axis, flip)
    }

    /// Number of voxels in model space.
    public var voxelCount: Int { geometry.voxelCount }

    /// The model-space shape [axis 0, axis 1, axis 2].
    public var shape: [Int] { [geometry.size.x, geometry.size.y, geometry.size.z] }

    /// The model-space affine in MONAI's RAS convention (row-major 4×4), i.e. what `MetaTensor.affine` holds
    /// after `Orientation` + `Spacing` when the image was loaded with ITK's LPS→RAS conversion.
    public var rasAffine: [[Double]] {
        var rows: [[Double]] = []
        for r in 0..<3 {
            let sign: Double = r < 2 ? -1 : 1
            var row: [Double] = []
            for j in 0..<3 { row.append(sign * geometry.direction[column: j][r] * geometry.spacing[j]) }
            row.append(sign * geometry.origin[r])
            rows.append(row)
        }
        rows.append([0, 0, 0, 1])
        return rows
    }
}
