import Foundation
import Imaging
import Testing
@testable import SegModelKit

/// An off-centre sphere must come back at the same LPS position after source → model space (reorient +
/// resample) → back to the source grid → argmax, for axial, oblique and sagittal series.
@Suite struct SphereRoundTripTests {
    enum Series: String, CaseIterable, Sendable {
        case axial, oblique, sagittal

        var geometry: Geometry {
            switch self {
            case .axial:
                return Geometry(size: SIMD3(64, 60, 30), spacing: Vector3(0.75, 0.75, 2.5), origin: Vector3(-20, -15, -30),
                                direction: .identity)
            case .oblique:
                let a = 0.35, b = -0.25
                let rz = Matrix3(rowMajor: [cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1])
                let rx = Matrix3(rowMajor: [1, 0, 0, 0, cos(b), -sin(b), 0, sin(b), cos(b)])
                return Geometry(size: SIMD3(60, 58, 36), spacing: Vector3(0.8, 0.85, 2.0), origin: Vector3(-14, -30, -25),
                                direction: rz * rx)
            case .sagittal:
                // Sagittal MR: x toward P, y toward I (down), slices toward L.
                return Geometry(size: SIMD3(56, 60, 24), spacing: Vector3(0.9, 0.9, 3.0), origin: Vector3(-30, -20, 30),
                                direction: Matrix3(columns: Vector3(0, 1, 0), Vector3(0, 0, -1), Vector3(1, 0, 0)))
            }
        }
    }

    static let centre = Vector3(7.3, 5.1, -4.2)
    static let radius = 9.0

    /// Centroid (LPS) and voxel count of label 1.
    static func centroid(_ map: LabelMap) -> (Vector3, Int) {
        var sum = Vector3.zero, n = 0
        let s = map.geometry.size
        for k in 0..<s.z {
            for j in 0..<s.y {
                for i in 0..<s.x where map[i, j, k] == 1 {
                    sum += map.geometry.point(i: i, j: j, k: k)
                    n += 1
                }
            }
        }
        return (sum / Double(max(n, 1)), n)
    }

    @Test(arguments: Series.allCases) func sphereComesBackInPlace(series: Series) throws {
        let g = series.geometry
        var volume = Volume(geometry: g)
        var truth = LabelMap(geometry: g)
        for k in 0..<g.size.z {
            for j in 0..<g.size.y {
                for i in 0..<g.size.x where (g.point(i: i, j: j, k: k) - Self.centre).length <= Self.radius {
                    volume[i, j, k] = 1
                    truth[i, j, k] = 1
                }
            }
        }
        // Sanity: the sphere is off the volume centre.
        let middle = g.point(at: Vector3(Double(g.size.x - 1), Double(g.size.y - 1), Double(g.size.z - 1)) / 2)
        #expect((middle - Self.centre).length > 5)

        let grid = try ModelSpaceGrid(source: g, orientation: AxisCodes("RAS"), spacing: Vector3(1.5, 1.5, 1.5))
        let model = try grid.resample(volume)
        // Two "probability" channels: background 1 − v and sphere v.
        var probabilities = [Float](repeating: 0, count: 2 * grid.voxelCount)
        for v in 0..<grid.voxelCount {
            probabilities[v] = 1 - model[v]
            probabilities[grid.voxelCount + v] = model[v]
        }
        // The sphere's centroid in model space is already at the right LPS position.
        var modelMap = LabelMap(geometry: grid.geometry)
        let (s1, s2) = (grid.shape[1], grid.shape[2])
        for v in 0..<grid.voxelCount where model[v] >= 0.5 {
            modelMap[v / (s1 * s2), (v / s2) % s1, v % s2] = 1  // model-space layout: axis 2 fastest
        }
        #expect((Self.centroid(modelMap).0 - Self.centre).length < 0.6)

        let back = try probabilities.withUnsafeBufferPointer {
            try grid.labelMap(probabilities: $0, channels: 2, output: OutputSettings(activation: .none, decision: .argmax))
        }
        #expect(back.geometry == g)
        let (c0, n0) = Self.centroid(truth), (c1, n1) = Self.centroid(back)
        #expect((c1 - c0).length < 0.5, "centroid moved by \((c1 - c0).length) mm")
        #expect((c1 - Self.centre).length < 0.5)
        var both = 0
        for v in 0..<g.voxelCount where truth.labels[v] == 1 && back.labels[v] == 1 { both += 1 }
        let dice = 2 * Double(both) / Double(n0 + n1)
        #expect(dice > 0.93, "Dice \(dice)")
    }
}
