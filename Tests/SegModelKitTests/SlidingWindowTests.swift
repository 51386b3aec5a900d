import Foundation
import Testing
@testable import SegModelKit

/// The generator's deterministic predictor: tanh(conv(x, w, b, padding=1)) with a 3-wide kernel,
/// w[o][c][tap] = ((o·5 + c·3 + tap·7) mod 13 − 6) / 20 and b[o] = (o − 1) / 4; accumulated in Double.
func convPredictor(inChannels: Int, outChannels: Int, dims: Int) -> SlidingWindowInference.Predictor {
    { patch, shape in
        let n = shape[0], spatial = Array(shape[2...])
        let size3 = dims == 3 ? spatial : [1] + spatial
        let voxels = size3.reduce(1, *)
        var out = [Float](repeating: 0, count: n * outChannels * voxels)
        for b in 0..<n {
            for o in 0..<outChannels {
                for z in 0..<size3[0] {
                    for y in 0..<size3[1] {
                        for x in 0..<size3[2] {
                            var sum = Double(o - 1) / 4
                            for c in 0..<inChannels {
                                let kz = dims == 3 ? -1...1 : 0...0
                                for dz in kz {
                                    for dy in -1...1 {
                                        for dx in -1...1 {
                                            let (zz, yy, xx) = (z + dz, y + dy, x + dx)
                                            guard zz >= 0, zz < size3[0], yy >= 0, yy < size3[1], xx >= 0, xx < size3[2] else { continue }
                                            let tap = dims == 3 ? ((dz + 1) * 3 + dy + 1) * 3 + dx + 1 : (dy + 1) * 3 + dx + 1
                                            let w = Double((o * 5 + c * 3 + tap * 7) % 13 - 6) / 20
                                            let v = patch[((b * inChannels + c) * size3[0] + zz) * size3[1] * size3[2] + yy * size3[2] + xx]
                                            sum += w * Double(v)
                                        }
                                    }
                                }
                            }
                            out[((b * outChannels + o) * size3[0] + z) * size3[1] * size3[2] + y * size3[2] + x] = tanh(Float(sum))
                        }
                    }
                }
            }
        }
        return out
    }
}

@Suite struct SlidingWindowTests {
    static let names = PipelineFixtures.cases("sliding").map { $0["name"] as! String }

    /// Same windows (count), blending and normalisation as MONAI's sliding_window_inference on odd sizes,
    /// constant/gaussian, overlap 0.25/0.5, images smaller than the window with each padding mode, and 2-D
    /// slice by slice.
    @Test(arguments: names) func matchesMONAI(name: String) throws {
        let c = PipelineFixtures.cases("sliding").first { ($0["name"] as! String) == name }!
        let size = PipelineFixtures.ints(c["size"])
        let cin = c["inChannels"] as! Int, cout = c["outChannels"] as! Int
        let sliceAxis = c["sliceAxis"] as? Int
        // Input: channel c is synthetic(size) · (0.5 + c), in model-space layout (axis 2 fastest).
        let xFastest = PipelineFixtures.synthetic(size)
        var input = [Float](repeating: 0, count: cin * xFastest.count)
        for ch in 0..<cin {
            for k in 0..<size[2] {
                for j in 0..<size[1] {
                    for i in 0..<size[0] {
                        input[ch * xFastest.count + (i * size[1] + j) * size[2] + k] =
                            xFastest[i + size[0] * (j + size[1] * k)] * Float(0.5 + Double(ch))
                    }
                }
            }
        }
        let settings = SlidingWindowSettings(
            roiSize: PipelineFixtures.ints(c["roi"]), overlap: c["overlap"] as! Double,
            mode: .init(rawValue: c["mode"] as! String)!, sigmaScale: c["sigmaScale"] as! Double,
            swBatchSize: c["swBatchSize"] as! Int, paddingMode: .init(rawValue: c["paddingMode"] as! String)!,
            cval: Float(c["cval"] as! Double))
        var reports: [(Int, Int)] = []
        let predictor = convPredictor(inChannels: cin, outChannels: cout, dims: sliceAxis == nil ? 3 : 2)
        let output = try input.withUnsafeBufferPointer {
            try SlidingWindowInference(settings: settings).run(
                input: $0, channels: cin, shape: size, sliceAxis: sliceAxis, progress: { reports.append(($0, $1)) },
                predictor: predictor)
        }
        let expected = PipelineFixtures.floats(c["output"] as! String)
        #expect(output.count == cout * xFastest.count)
        #expect(maxAbsDifference(output, expected) < 1e-5)
        if let windows = c["windows"] as? Int {
            #expect(reports.last?.1 == windows)
            #expect(reports.count == c["calls"] as! Int)
        }
        #expect(reports.last.map { $0.0 == $0.1 } == true)
    }

    @Test func importanceMapsMatchMONAI() {
        for c in PipelineFixtures.cases("importance") {
            let map = ImportanceMap.make(size: PipelineFixtures.ints(c["size"]), mode: .gaussian,
                                         sigmaScale: c["sigmaScale"] as! Double)
            #expect(maxAbsDifference(map, PipelineFixtures.floats(c["output"] as! String)) <= 1e-7)
        }
    }

    @Test func windowPlanClampsTheLastWindow() {
        let plan = SlidingWindowPlan(shape: [100, 96, 50], roi: [96, 96, 96], overlap: 0.25)
        #expect(plan.scanInterval == [72, 96, 96])  // the padded axis equals the window: one window
        #expect(plan.starts == [[0, 4], [0], [0]])
        #expect(plan.padBefore == [0, 0, 23])
        #expect(plan.paddedShape == [100, 96, 96])
        // baselines.md: 256×256×160 with 96³ windows gives 32 windows at overlap 0.25 and 75 at 0.5.
        #expect(SlidingWindowPlan(shape: [256, 256, 160], roi: [96, 96, 96], overlap: 0.25).windowCount == 32)
        #expect(SlidingWindowPlan(shape: [256, 256, 160], roi: [96, 96, 96], overlap: 0.5).windowCount == 75)
    }

    @Test func predictorErrorsAndWrongSizesAreReported() {
        let input = [Float](repeating: 0, count: 8 * 8 * 8)
        let sw = SlidingWindowInference(settings: SlidingWindowSettings(roiSize: [4, 4, 4]))
        #expect(throws: ModelError.self) {
            try input.withUnsafeBufferPointer { try sw.run(input: $0, channels: 1, shape: [8, 8, 8]) { p, _ in Array(p.prefix(7)) } }
        }
        struct Boom: Error {}
        do {
            _ = try input.withUnsafeBufferPointer { try sw.run(input: $0, channels: 1, shape: [8, 8, 8]) { _, _ in throw Boom() } }
            Issue.record("no error")
        } catch let error as ModelError {
            #expect(error.code == .inferenceFailed)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
