import Imaging

/// One of the three mid-planes of a preview, in patient space, shown as radiologists do: axial from the feet
/// (anterior up, patient left on the image right), coronal from the front (superior up, patient left on the right),
/// sagittal from the patient's left (superior up, anterior on the left).
public enum PreviewPlane: String, Sendable, CaseIterable {
    case axial, coronal, sagittal

    /// LPS world axes (0 = L, 1 = P, 2 = S) and signs along which image columns and rows increase, and the normal.
    var columns: (axis: Int, sign: Double) {
        switch self {
        case .axial, .coronal: (0, 1)  // towards patient left
        case .sagittal: (1, 1)  // towards posterior
        }
    }

    var rows: (axis: Int, sign: Double) {
        switch self {
        case .axial: (1, 1)  // towards posterior: anterior up
        case .coronal, .sagittal: (2, -1)  // towards inferior: superior up
        }
    }

    var normal: Int {
        switch self {
        case .axial: 2
        case .coronal: 1
        case .sagittal: 0
        }
    }

    /// Orientation letters at the (top, bottom, left, right) edges of the panel.
    var edgeLetters: (top: String, bottom: String, left: String, right: String) {
        switch self {
        case .axial: ("A", "P", "R", "L")
        case .coronal: ("S", "I", "R", "L")
        case .sagittal: ("S", "I", "A", "P")
        }
    }

    var title: String { rawValue.uppercased() }
}

/// How a volume's index axes lie in patient space, to the nearest world axis (previews ignore obliquity).
struct AxisMap {
    /// For each LPS world axis, the index axis closest to it and whether the index increases along it.
    var indexAxis: [Int]
    var increasesAlongWorld: [Bool]

    init(_ direction: Matrix3) {
        let m = direction.rowMajor  // m[3 * w + a] = component of index axis a along world axis w
        var pairs: [(w: Int, a: Int, v: Double)] = []
        for w in 0..<3 { for a in 0..<3 { pairs.append((w, a, abs(m[3 * w + a]))) } }
        pairs.sort { $0.v != $1.v ? $0.v > $1.v : ($0.w, $0.a) < ($1.w, $1.a) }
        var axis = [-1, -1, -1], usedA = Set<Int>()
        for p in pairs where axis[p.w] < 0 && !usedA.contains(p.a) {
            axis[p.w] = p.a
            usedA.insert(p.a)
        }
        indexAxis = axis
        increasesAlongWorld = (0..<3).map { w in m[3 * w + axis[w]] >= 0 }
    }
}

/// Samples one plane of a volume (and its label map) on a display grid of `mmPerPixel`.
struct PlaneSampler {
    let geometry: Geometry
    let map: AxisMap
    let plane: PreviewPlane
    let mmPerPixel: Double
    /// Index axes shown along columns, rows, and the fixed (normal) one.
    let colAxis: Int, rowAxis: Int, normalAxis: Int
    /// The mid index along the normal.
    let slice: Int
    let width: Int, height: Int
    let colFlip: Bool, rowFlip: Bool

    init(geometry: Geometry, plane: PreviewPlane, mmPerPixel: Double) {
        self.geometry = geometry
        self.plane = plane
        self.mmPerPixel = mmPerPixel
        map = AxisMap(geometry.direction)
        let size = [geometry.size.x, geometry.size.y, geometry.size.z]
        let spacing = [geometry.spacing.x, geometry.spacing.y, geometry.spacing.z]
        colAxis = map.indexAxis[plane.columns.axis]
        rowAxis = map.indexAxis[plane.rows.axis]
        normalAxis = map.indexAxis[plane.normal]
        slice = size[normalAxis] / 2
        width = max(1, Int((Double(size[colAxis]) * spacing[colAxis] / mmPerPixel).rounded()))
        height = max(1, Int((Double(size[rowAxis]) * spacing[rowAxis] / mmPerPixel).rounded()))
        // Flip when the index runs against the display direction.
        colFlip = map.increasesAlongWorld[plane.columns.axis] != (plane.columns.sign > 0)
        rowFlip = map.increasesAlongWorld[plane.rows.axis] != (plane.rows.sign > 0)
    }

    /// The continuous index along an axis of the centre of display pixel `p` of `count` pixels.
    private func index(_ p: Int, pixels: Int, axis: Int, flip: Bool) -> Double {
        let n = [geometry.size.x, geometry.size.y, geometry.size.z][axis]
        let t = (Double(p) + 0.5) / Double(pixels) * Double(n) - 0.5
        return flip ? Double(n - 1) - t : t
    }

    private func offset(_ c: Int, _ r: Int) -> Int {
        var ijk = [0, 0, 0]
        ijk[colAxis] = c
        ijk[rowAxis] = r
        ijk[normalAxis] = slice
        return geometry.offset(i: ijk[0], j: ijk[1], k: ijk[2])
    }

    /// Grey values (bilinear) of the plane, row by row.
    func values(_ voxels: [Float]) -> [Float] {
        let size = [geometry.size.x, geometry.size.y, geometry.size.z]
        let nc = size[colAxis], nr = size[rowAxis]
        var out = [Float](repeating: 0, count: width * height)
        let cols = (0..<width).map { index($0, pixels: width, axis: colAxis, flip: colFlip) }
        for y in 0..<height {
            let v = min(max(index(y, pixels: height, axis: rowAxis, flip: rowFlip), 0), Double(nr - 1))
            let r0 = Int(v), r1 = min(r0 + 1, nr - 1), fr = Float(v - Double(r0))
            for x in 0..<width {
                let u = min(max(cols[x], 0), Double(nc - 1))
                let c0 = Int(u), c1 = min(c0 + 1, nc - 1), fc = Float(u - Double(c0))
                let a = voxels[offset(c0, r0)] * (1 - fc) + voxels[offset(c1, r0)] * fc
                let b = voxels[offset(c0, r1)] * (1 - fc) + voxels[offset(c1, r1)] * fc
                out[y * width + x] = a * (1 - fr) + b * fr
            }
        }
        return out
    }

    /// Labels (nearest voxel) of the plane, row by row.
    func labels(_ labels: [UInt8]) -> [UInt8] {
        let size = [geometry.size.x, geometry.size.y, geometry.size.z]
        var out = [UInt8](repeating: 0, count: width * height)
        let cols = (0..<width).map { x in
            min(max(Int(index(x, pixels: width, axis: colAxis, flip: colFlip).rounded()), 0), size[colAxis] - 1)
        }
        for y in 0..<height {
            let r = min(max(Int(index(y, pixels: height, axis: rowAxis, flip: rowFlip).rounded()), 0), size[rowAxis] - 1)
            for x in 0..<width { out[y * width + x] = labels[offset(cols[x], r)] }
        }
        return out
    }
}
