/// A 3×3 matrix stored by columns.
///
/// For an image direction matrix the columns are the unit vectors of the x (column), y (row) and z (slice)
/// axes in patient space, as in ITK/SimpleITK.
public struct Matrix3: Sendable, Hashable {
    public var columns: (Vector3, Vector3, Vector3)

    public init(columns c0: Vector3, _ c1: Vector3, _ c2: Vector3) {
        columns = (c0, c1, c2)
    }

    public static let identity = Matrix3(columns: Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, 0, 1))

    /// Builds a matrix from 9 numbers in row-major order (SimpleITK's `GetDirection()` layout).
    public init(rowMajor m: [Double]) {
        precondition(m.count == 9, "a 3×3 matrix needs 9 numbers")
        self.init(columns: Vector3(m[0], m[3], m[6]), Vector3(m[1], m[4], m[7]), Vector3(m[2], m[5], m[8]))
    }

    /// The 9 entries in row-major order (SimpleITK's `GetDirection()` layout).
    public var rowMajor: [Double] {
        let (a, b, c) = columns
        return [a.x, b.x, c.x, a.y, b.y, c.y, a.z, b.z, c.z]
    }

    public subscript(column index: Int) -> Vector3 {
        switch index {
        case 0: return columns.0
        case 1: return columns.1
        default: return columns.2
        }
    }

    /// `self · v`.
    @inlinable public func apply(_ v: Vector3) -> Vector3 {
        columns.0 * v.x + columns.1 * v.y + columns.2 * v.z
    }

    public var transposed: Matrix3 {
        let r = rowMajor
        return Matrix3(rowMajor: [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]])
    }

    public var determinant: Double {
        columns.0.dot(columns.1.cross(columns.2))
    }

    /// The inverse, or nil when the matrix is singular.
    public var inverse: Matrix3? {
        let (a, b, c) = columns
        let det = determinant
        guard abs(det) > 1e-12 else { return nil }
        // Rows of the inverse are the cross products of the columns, divided by the determinant.
        let r0 = b.cross(c) / det, r1 = c.cross(a) / det, r2 = a.cross(b) / det
        return Matrix3(rowMajor: [r0.x, r0.y, r0.z, r1.x, r1.y, r1.z, r2.x, r2.y, r2.z])
    }

    public static func * (lhs: Matrix3, rhs: Matrix3) -> Matrix3 {
        Matrix3(columns: lhs.apply(rhs.columns.0), lhs.apply(rhs.columns.1), lhs.apply(rhs.columns.2))
    }

    public static func == (lhs: Matrix3, rhs: Matrix3) -> Bool {
        lhs.columns.0 == rhs.columns.0 && lhs.columns.1 == rhs.columns.1 && lhs.columns.2 == rhs.columns.2
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rowMajor)
    }
}
