import Foundation
import NN
import Testing
@testable import SegModelKit

/// The generator's conv predictor run on the NN engine through the Tensor adapter reproduces MONAI's sliding
/// window output.
@Suite struct TensorPredictorTests {
    @Test func nnConvThroughTheAdapterMatchesMONAI() throws {
        let c = PipelineFixtures.cases("sliding").first { ($0["name"] as! String) == "g50" }!
        let size = PipelineFixtures.ints(c["size"])
        let (cin, cout) = (c["inChannels"] as! Int, c["outChannels"] as! Int)
        var w = [Float](repeating: 0, count: cout * cin * 27)
        for o in 0..<cout { for ch in 0..<cin { for t in 0..<27 { w[(o * cin + ch) * 27 + t] = Float((o * 5 + ch * 3 + t * 7) % 13 - 6) / 20 } } }
        let weight = try Tensor(shape: [cout, cin, 3, 3, 3], data: w)
        let bias = try Tensor(shape: [cout], data: (0..<cout).map { Float($0 - 1) / 4 })
        let predictor = SlidingWindowInference.predictor { x in
            var y = try Functional.conv(x, weight: weight, bias: bias, padding: [1])
            y.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = tanh($0[i]) } }
            return y
        }
        let xFastest = PipelineFixtures.synthetic(size)
        var input = [Float](repeating: 0, count: cin * xFastest.count)
        for ch in 0..<cin { for k in 0..<size[2] { for j in 0..<size[1] { for i in 0..<size[0] {
            input[ch * xFastest.count + (i * size[1] + j) * size[2] + k] = xFastest[i + size[0] * (j + size[1] * k)] * Float(0.5 + Double(ch))
        } } } }
        let settings = SlidingWindowSettings(roiSize: PipelineFixtures.ints(c["roi"]), overlap: 0.5, mode: .gaussian,
                                             swBatchSize: c["swBatchSize"] as! Int)
        let out = try input.withUnsafeBufferPointer {
            try SlidingWindowInference(settings: settings).run(input: $0, channels: cin, shape: size, predictor: predictor)
        }
        #expect(maxAbsDifference(out, PipelineFixtures.floats(c["output"] as! String)) < 1e-5)
    }

    @Test func wrongOutputShapeIsRefused() {
        let predictor = SlidingWindowInference.predictor { x in Tensor(shape: [x.shape[0], 1, 2, 2, 2], repeating: 0) }
        #expect(throws: ModelError.self) { try predictor([Float](repeating: 0, count: 27), [1, 1, 3, 3, 3]) }
    }
}
