import Foundation
import Testing
@testable import SegModelKit

@Suite struct IntensityTransformTests {
    static let names = PipelineFixtures.cases("intensity").map { $0["name"] as! String }

    /// Each transform reproduces MONAI's output on the fixture volume (parsed from the same manifest JSON).
    @Test(arguments: names) func matchesMONAI(name: String) throws {
        let c = PipelineFixtures.cases("intensity").first { ($0["name"] as! String) == name }!
        let spec = try JSONSerialization.data(withJSONObject: c["transform"]!)
        let value = try JSONDecoder().decode(JSONValue.self, from: spec)
        let transform = try ModelManifest.intensity(value, "intensity[0]")
        var x = PipelineFixtures.floats(PipelineFixtures.index["intensityInput"] as! String)
        x.withUnsafeMutableBufferPointer { transform.apply($0) }
        let expected = PipelineFixtures.floats(c["output"] as! String)
        let scale = expected.map(abs).max()!
        #expect(maxAbsDifference(x, expected) <= 2e-6 * max(1, scale))
    }

    @Test func clipZScoreIsNNUNetCTNormalisation() {
        var x: [Float] = [-2000, -50, 0, 100, 3000]
        x.withUnsafeMutableBufferPointer {
            IntensityTransform.clipZScore(lower: -1000, upper: 1000, mean: 50, std: 200).apply($0)
        }
        #expect(x == [-5.25, -0.5, -0.25, 0.25, 4.75])
        var z: [Float] = [3, 7]
        z.withUnsafeMutableBufferPointer { IntensityTransform.clipZScore(lower: 0, upper: 10, mean: 5, std: 0).apply($0) }
        #expect(z == [-2e8, 2e8])
    }

    @Test func scaleIntensityRangeWithEqualBoundsOnlyShifts() {
        var x: [Float] = [1, 2]
        x.withUnsafeMutableBufferPointer {
            IntensityTransform.scaleIntensityRange(aMin: 5, aMax: 5, bMin: 1, bMax: 2, clip: true).apply($0)
        }
        #expect(x == [-3, -2])
    }
}
