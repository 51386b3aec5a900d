import Foundation
import Imaging
import Testing
@testable import SegModelKit

/// The whole chain against a MONAI script (Orientation → Spacing → ScaleIntensityRange → gaussian sliding window
/// → softmax → inverse spatial transforms → argmax), on synthetic volumes with the generator's conv predictor.
@Suite struct PipelineChainTests {
    static let names = PipelineFixtures.cases("chain").map { $0["name"] as! String }

    @Test(arguments: names) func matchesMONAI(name: String) throws {
        let c = PipelineFixtures.cases("chain").first { ($0["name"] as! String) == name }!
        let source = PipelineFixtures.geometry(c)
        let volume = Volume(geometry: source, voxels: PipelineFixtures.synthetic(PipelineFixtures.ints(c["size"])).map { $0 * 30 })
        let pixdim = PipelineFixtures.doubles(c["pixdim"])
        let sliceAxis = c["sliceAxis"] as? Int
        let cout = c["outChannels"] as! Int
        var m = try ModelManifest(json: sampleManifestJSON)
        m.spatialDims = sliceAxis == nil ? .three : .two(plane: .axial)
        m.spacing = Vector3(pixdim[0], pixdim[1], pixdim[2])
        m.intensity = [.scaleIntensityRange(aMin: -20, aMax: 80, bMin: 0, bMax: 1, clip: true)]
        m.inference = SlidingWindowSettings(roiSize: PipelineFixtures.ints(c["roi"]), overlap: c["overlap"] as! Double,
                                            mode: .gaussian, swBatchSize: 2)
        m.output = OutputSettings(activation: .softmax, decision: .argmax)
        m.postprocessing = .none
        m.input.minimumSlices = 1
        m.network.kwargs["out_channels"] = .number(Double(cout))
        m.labels = (1..<cout).map { SegmentDescription(label: UInt8($0), name: "L\($0)", category: .tissue, type: .tissue, color: RGB(1, 2, 3)) }
        let predictor = convPredictor(inChannels: 1, outChannels: cout, dims: sliceAxis == nil ? 3 : 2)

        // Probabilities on the source grid, stage by stage.
        let grid = try ModelSpaceGrid(source: source, orientation: m.orientation, spacing: m.spacing)
        #expect(grid.shape == PipelineFixtures.ints(c["modelShape"]))
        var input = try grid.resample(volume)
        input.withUnsafeMutableBufferPointer { m.intensity.apply($0) }
        var probabilities = try input.withUnsafeBufferPointer {
            try SlidingWindowInference(settings: m.inference).run(input: $0, channels: 1, shape: grid.shape,
                                                                  sliceAxis: sliceAxis, predictor: predictor)
        }
        probabilities.withUnsafeMutableBufferPointer { m.output.activate($0, channels: cout, count: grid.voxelCount) }
        var back = [Float](repeating: 0, count: cout * source.voxelCount)
        try probabilities.withUnsafeBufferPointer {
            try grid.forEachSourceSlice(channels: cout, values: $0) { k, slice in
                let plane = source.sliceVoxelCount
                for ch in 0..<cout {
                    for v in 0..<plane { back[ch * source.voxelCount + k * plane + v] = slice[ch * plane + v] }
                }
            }
        }
        #expect(maxAbsDifference(back, PipelineFixtures.floats(c["probabilities"] as! String)) < 1e-4)

        // Labels from the pipeline itself: Dice ≥ 0.999 per label against MONAI's argmax.
        let result = try SegmentationPipeline(manifest: m).run(volume: volume) { p, s in try predictor(p, s) }
        let expected = [UInt8](try Data(contentsOf: PipelineFixtures.folder.appendingPathComponent(c["labels"] as! String)))
        for label in UInt8(0)..<UInt8(cout) {
            var both = 0, a = 0, b = 0
            for v in 0..<expected.count {
                let x = result.labelMap.labels[v] == label, y = expected[v] == label
                a += x ? 1 : 0
                b += y ? 1 : 0
                both += x && y ? 1 : 0
            }
            #expect(b > 0)
            #expect(2 * Double(both) / Double(a + b) >= 0.999, "label \(label)")
        }
    }
}
