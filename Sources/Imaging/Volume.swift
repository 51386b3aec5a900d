/// A scalar image on a `Geometry`: voxel values in x-fastest order (x, then y, then z).
///
/// Values are after DICOM Rescale Slope/Intercept (e.g. Hounsfield units for CT).
public struct Volume: Sendable {
    public var geometry: Geometry
    public var voxels: [Float]

    public init(geometry: Geometry, voxels: [Float]) {
        precondition(voxels.count == geometry.voxelCount, "voxel count does not match the geometry")
        self.geometry = geometry
        self.voxels = voxels
    }

    /// A volume filled with `value`.
    public init(geometry: Geometry, repeating value: Float = 0) {
        self.geometry = geometry
        self.voxels = [Float](repeating: value, count: geometry.voxelCount)
    }

    @inlinable public subscript(i: Int, j: Int, k: Int) -> Float {
        get { voxels[geometry.offset(i: i, j: j, k: k)] }
        set { voxels[geometry.offset(i: i, j: j, k: k)] = newValue }
    }

    /// Minimum, maximum and mean of the voxels (mean accumulated in Double). Nil for an empty volume.
    public var statistics: (min: Float, max: Float, mean: Double)? {
        guard var lo = voxels.first else { return nil }
        var hi = lo
        var sum = 0.0
        voxels.withUnsafeBufferPointer { buffer in
            // Accumulate per block in Double to keep the mean exact enough for large volumes.
            for v in buffer {
                if v < lo { lo = v }
                if v > hi { hi = v }
                sum += Double(v)
            }
        }
        return (lo, hi, sum / Double(voxels.count))
    }
}
