import Imaging
import Testing

@Suite struct GeometryTests {
    @Test func rowMajorRoundTrip() {
        let m = Matrix3(rowMajor: [0, 0, -1, 1, 0, 0, 0, -1, 0])
        #expect(m.rowMajor == [0, 0, -1, 1, 0, 0, 0, -1, 0])
        #expect(m[column: 0] == Vector3(0, 1, 0))
        #expect(m[column: 2] == Vector3(-1, 0, 0))
    }

    @Test func inverseOfRotationIsTranspose() throws {
        let c = 0.9483, s = 0.3173
        let m = Matrix3(columns: Vector3(1, 0, 0), Vector3(0, c, -s).normalized, Vector3(0, s, c).normalized)
        let inv = try #require(m.inverse)
        let product = (inv * m).rowMajor
        for (a, b) in zip(product, Matrix3.identity.rowMajor) { #expect(abs(a - b) < 1e-12) }
        #expect(Matrix3(rowMajor: [1, 2, 3, 2, 4, 6, 0, 0, 1]).inverse == nil)
    }

    @Test func pointAndIndexAreInverse() {
        // The sagittal MR of the corpus: x runs along +y (posterior), y along -z, z along -x.
        let g = Geometry(size: SIMD3(256, 256, 35), spacing: Vector3(1.0156, 1.0156, 4.8),
                         origin: Vector3(81.6, -130, 130),
                         direction: Matrix3(rowMajor: [0, 0, -1, 1, 0, 0, 0, -1, 0]))
        let p = g.point(i: 10, j: 20, k: 3)
        #expect(abs(p.x - (81.6 - 3 * 4.8)) < 1e-9)
        #expect(abs(p.y - (-130 + 10 * 1.0156)) < 1e-9)
        #expect(abs(p.z - (130 - 20 * 1.0156)) < 1e-9)
        let idx = g.continuousIndex(of: p)
        #expect((idx - Vector3(10, 20, 3)).length < 1e-9)
    }

    @Test func offsetsAreXFastest() {
        let g = Geometry(size: SIMD3(4, 3, 2), spacing: .one, origin: .zero, direction: .identity)
        #expect(g.offset(i: 1, j: 0, k: 0) == 1)
        #expect(g.offset(i: 0, j: 1, k: 0) == 4)
        #expect(g.offset(i: 0, j: 0, k: 1) == 12)
        #expect(g.voxelCount == 24)
    }

    @Test func volumeStatisticsAndLabelHistogram() throws {
        let g = Geometry(size: SIMD3(2, 2, 1), spacing: .one, origin: .zero, direction: .identity)
        let v = Volume(geometry: g, voxels: [-3, 1, 2, 4])
        let s = try #require(v.statistics)
        #expect(s.min == -3 && s.max == 4 && s.mean == 1)
        var l = LabelMap(geometry: g)
        l[1, 1, 0] = 2
        l[0, 1, 0] = 2
        #expect(l.histogram[0] == 2 && l.histogram[2] == 2)
    }
}
