/// The sampling grid of a 3-D image in DICOM patient space (LPS, millimetres).
///
/// Conventions follow ITK/SimpleITK: index x runs along a row (DICOM column index), y down the rows, z through
/// the slices. The physical position of index (i, j, k) is `origin + direction · (spacing ⊙ (i, j, k))`, where
/// the columns of `direction` are the unit vectors of the x, y and z axes.
public struct Geometry: Sendable, Hashable {
    /// Voxel counts along x, y, z.
    public var size: SIMD3<Int>
    /// Voxel spacing along x, y, z in millimetres.
    public var spacing: Vector3
    /// Centre of voxel (0, 0, 0) in LPS millimetres.
    public var origin: Vector3
    /// Columns are the unit x, y, z axis vectors in LPS.
    public var direction: Matrix3

    public init(size: SIMD3<Int>, spacing: Vector3, origin: Vector3, direction: Matrix3) {
        self.size = size
        self.spacing = spacing
        self.origin = origin
        self.direction = direction
    }

    /// Number of voxels.
    public var voxelCount: Int { size.x * size.y * size.z }

    /// Voxels in one z-slice.
    public var sliceVoxelCount: Int { size.x * size.y }

    /// The physical (LPS) position of a continuous index.
    @inlinable public func point(at index: Vector3) -> Vector3 {
        origin + direction.apply(index * spacing)
    }

    /// The physical (LPS) position of voxel (i, j, k).
    @inlinable public func point(i: Int, j: Int, k: Int) -> Vector3 {
        point(at: Vector3(Double(i), Double(j), Double(k)))
    }

    /// The continuous index of a physical (LPS) point. Requires a non-singular direction.
    public func continuousIndex(of point: Vector3) -> Vector3 {
        guard let inv = direction.inverse else { return Vector3(repeating: .nan) }
        return inv.apply(point - origin) / spacing
    }

    /// The linear offset of voxel (i, j, k) in x-fastest order.
    @inlinable public func offset(i: Int, j: Int, k: Int) -> Int {
        i + size.x * (j + size.y * k)
    }

    /// Whether two grids are the same to within `tolerance` (mm for origin/spacing, unitless for direction).
    public func isClose(to other: Geometry, tolerance: Double = 1e-4) -> Bool {
        guard size == other.size else { return false }
        let a = direction.rowMajor, b = other.direction.rowMajor
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
            && ((spacing - other.spacing) * (spacing - other.spacing)).max() <= tolerance * tolerance
            && (origin - other.origin).length <= tolerance
    }
}
