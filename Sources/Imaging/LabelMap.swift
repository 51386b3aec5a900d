/// An integer label image on a `Geometry`: 0 is background, 1…255 are segment labels.
///
/// Labels are stored in x-fastest order, like `Volume`.
public struct LabelMap: Sendable {
    public var geometry: Geometry
    public var labels: [UInt8]

    public init(geometry: Geometry, labels: [UInt8]) {
        precondition(labels.count == geometry.voxelCount, "label count does not match the geometry")
        self.geometry = geometry
        self.labels = labels
    }

    /// An all-background label map.
    public init(geometry: Geometry) {
        self.geometry = geometry
        self.labels = [UInt8](repeating: 0, count: geometry.voxelCount)
    }

    @inlinable public subscript(i: Int, j: Int, k: Int) -> UInt8 {
        get { labels[geometry.offset(i: i, j: j, k: k)] }
        set { labels[geometry.offset(i: i, j: j, k: k)] = newValue }
    }

    /// Voxel count per label value (index = label, 256 entries).
    public var histogram: [Int] {
        var counts = [Int](repeating: 0, count: 256)
        labels.withUnsafeBufferPointer { buffer in
            for l in buffer { counts[Int(l)] += 1 }
        }
        return counts
    }
}
