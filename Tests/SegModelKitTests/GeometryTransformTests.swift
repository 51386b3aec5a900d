import Foundation
import Imaging
import Testing
@testable import SegModelKit

@Suite struct GeometryTransformTests {
    static let geometryCases = PipelineFixtures.cases("geometry").map { $0["name"] as! String }

    static func geometryCase(_ name: String) -> [String: Any] {
        PipelineFixtures.cases("geometry").first { ($0["name"] as! String) == name }!
    }

    /// Orientation + Spacing reproduce MONAI's output shape, RAS affine and values; the inverse reproduces
    /// MONAI's `inverse()` on the source grid.
    @Test(arguments: geometryCases) func matchesMONAI(name: String) throws {
        let c = Self.geometryCase(name)
        let source = PipelineFixtures.geometry(c)
        let pixdim = PipelineFixtures.doubles(c["pixdim"])
        let grid = try ModelSpaceGrid(source: source, orientation: AxisCodes(c["axcodes"] as! String),
                                      spacing: Vector3(pixdim[0], pixdim[1], pixdim[2]))
        #expect(grid.shape == PipelineFixtures.ints(c["outShape"]))
        let affine = (c["outAffine"] as! [Any]).map { PipelineFixtures.doubles($0) }
        for r in 0..<4 {
            for col in 0..<4 { #expect(abs(grid.rasAffine[r][col] - affine[r][col]) < 1e-9, "affine[\(r)][\(col)]") }
        }
        let volume = Volume(geometry: source, voxels: PipelineFixtures.synthetic(PipelineFixtures.ints(c["size"])))
        let forward = try grid.resample(volume)
        let expected = PipelineFixtures.floats(c["forward"] as! String)
        #expect(maxAbsDifference(forward, expected) < 2e-5)

        var back = [Float](repeating: 0, count: source.voxelCount)
        try forward.withUnsafeBufferPointer { values in
            try grid.forEachSourceSlice(channels: 1, values: values) { k, slice in
                for t in 0..<slice.count { back[k * source.sliceVoxelCount + t] = slice[t] }
            }
        }
        #expect(maxAbsDifference(back, PipelineFixtures.floats(c["inverse"] as! String)) < 2e-5)
    }

    @Test func orientationOfAnAxialLPSSeriesToRASFlipsXAndY() throws {
        let g = Geometry(size: SIMD3(4, 5, 6), spacing: Vector3(1, 2, 3), origin: Vector3(10, 20, 30), direction: .identity)
        let grid = try ModelSpaceGrid(source: g, orientation: AxisCodes("RAS"), spacing: nil)
        #expect(grid.sourceAxis == SIMD3(0, 1, 2))
        #expect(grid.flipped == [true, true, false])
        // The first model voxel is the source voxel (3, 4, 0): the same LPS point.
        #expect((grid.geometry.point(i: 0, j: 0, k: 0) - g.point(i: 3, j: 4, k: 0)).length < 1e-12)
        #expect(grid.geometry.direction == Matrix3(columns: Vector3(-1, 0, 0), Vector3(0, -1, 0), Vector3(0, 0, 1)))
        let lps = try ModelSpaceGrid(source: g, orientation: AxisCodes("LPS"), spacing: nil)
        #expect(lps.geometry == g)
    }

    @Test func sagittalSeriesPermutesAxes() throws {
        // x = +P, y = −S, z = +L: to RAS, model axis 0 (R) is source z reversed, 1 (A) is x reversed, 2 (S) is y reversed.
        let d = Matrix3(columns: Vector3(0, 1, 0), Vector3(0, 0, -1), Vector3(1, 0, 0))
        let g = Geometry(size: SIMD3(4, 5, 6), spacing: Vector3(1, 2, 3), origin: .zero, direction: d)
        let grid = try ModelSpaceGrid(source: g, orientation: AxisCodes("RAS"), spacing: nil)
        #expect(grid.sourceAxis == SIMD3(2, 0, 1))
        #expect(grid.flipped == [true, true, true])
        #expect(grid.shape == [6, 4, 5])
    }

    @Test func refusesShearedGrids() {
        // A gantry-tilt-like shear: the slice axis leans 10° toward y.
        let tilt = Matrix3(columns: Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, sin(0.17), cos(0.17)) * 1)
        let g = Geometry(size: SIMD3(4, 4, 4), spacing: Vector3(1, 1, 1), origin: .zero, direction: tilt)
        #expect(throws: ModelError.self) { try ModelSpaceGrid(source: g, orientation: AxisCodes("RAS"), spacing: nil) }
    }
}
