import Imaging
import SegdCore
import Testing

/// The preview is drawn in patient space: the same anatomy stored on a sagittal grid (as a sagittal MR is: columns
/// towards posterior, rows towards inferior, slices towards the patient's right) renders pixel for pixel like it
/// does on an axial grid.
@Suite struct OrientationTests {
    /// An off-centre object on an axial grid of odd sizes (so both grids have the same mid-planes).
    static func axial() -> (Volume, LabelMap) {
        let g = Geometry(size: SIMD3(41, 31, 21), spacing: Vector3(1, 1, 2), origin: Vector3(-20, -15, 0),
                         direction: .identity)
        var v = Volume(geometry: g, repeating: 0)
        var l = LabelMap(geometry: g)
        for k in 0..<21 { for j in 0..<31 { for i in 0..<41 {
            v[i, j, k] = Float(i * 7 + j * 3 + k * 11)  // a ramp that shows any flip
            if i >= 24 && i < 36 && j >= 4 && j < 18 && k >= 9 && k < 17 { l[i, j, k] = 1 }
        } } }
        return (v, l)
    }

    /// The same voxels on a sagittal grid: x → +P, y → −S, z → −L.
    static func sagittal(_ a: Volume, _ al: LabelMap) -> (Volume, LabelMap) {
        let ga = a.geometry
        let (nx, ny, nz) = (ga.size.x, ga.size.y, ga.size.z)
        let direction = Matrix3(rowMajor: [0, 0, -1, 1, 0, 0, 0, -1, 0])
        let origin = ga.point(i: nx - 1, j: 0, k: nz - 1)
        let g = Geometry(size: SIMD3(ny, nz, nx), spacing: Vector3(ga.spacing.y, ga.spacing.z, ga.spacing.x),
                         origin: origin, direction: direction)
        var v = Volume(geometry: g, repeating: 0)
        var l = LabelMap(geometry: g)
        for k in 0..<nx { for j in 0..<nz { for i in 0..<ny {
            v[i, j, k] = a[nx - 1 - k, i, nz - 1 - j]
            l[i, j, k] = al[nx - 1 - k, i, nz - 1 - j]
        } } }
        // The mapping really is the same physical point.
        #expect((g.point(i: 3, j: 5, k: 7) - ga.point(i: nx - 1 - 7, j: 3, k: nz - 1 - 5)).length < 1e-9)
        return (v, l)
    }

    @Test func sagittalGridRendersLikeTheAxialGrid() throws {
        let (av, al) = Self.axial()
        let (sv, sl) = Self.sagittal(av, al)
        let seg = [SegmentDescription(label: 1, name: "Object", category: CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue"),
                                      type: CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue"), color: RGB(0, 255, 0))]
        let a = try SegPreview.image(volume: av, labelMap: al, segments: seg, modality: "MR")
        let s = try SegPreview.image(volume: sv, labelMap: sl, segments: seg, modality: "MR")
        #expect(a.panels.map { [$0.width, $0.height] } == s.panels.map { [$0.width, $0.height] })
        #expect(a.image.width == s.image.width && a.image.height == s.image.height)
        // Bilinear weights are computed from mirrored indices, so a grey level may round the other way.
        let differing = zip(a.image.pixels, s.image.pixels).filter { $0 != $1 }
        #expect(differing.allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "a value differs by more than 1 level")
        #expect(differing.count <= a.image.pixels.count / 200, "\(differing.count) channel values differ")
        // And the object is drawn (the comparison is not between two empty images).
        #expect(a.image.pixels.count > 0 && (0..<a.panels[0].width).contains { x in
            let p = a.image[a.panels[0].x + x, a.panels[0].y + 40]
            return Int(p.g) > Int(p.r) + 40
        })
    }
}
