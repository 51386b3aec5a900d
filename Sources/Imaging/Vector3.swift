/// A 3-vector of doubles: positions and directions in patient space (LPS, millimetres).
public typealias Vector3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// The dot product.
    @inlinable public func dot(_ other: Vector3) -> Double {
        (self * other).sum()
    }

    /// The cross product `self × other`.
    @inlinable public func cross(_ other: Vector3) -> Vector3 {
        Vector3(
            y * other.z - z * other.y,
            z * other.x - x * other.z,
            x * other.y - y * other.x)
    }

    /// The Euclidean length.
    @inlinable public var length: Double { dot(self).squareRoot() }

    /// This vector scaled to unit length (unchanged if it is zero).
    @inlinable public var normalized: Vector3 {
        let l = length
        return l > 0 ? self / l : self
    }
}
