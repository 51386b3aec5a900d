import DICOM
import Foundation
import Imaging
import NN
import SegModelKit
import TestSupport
import Testing

/// segd's pipeline against MONAI 1.6.1 on real series of `../shared/dicom` with real networks (MONAI UNets,
/// briefly trained; run through the built `libSegdPluginUNet.so`): references made by
/// `Tests/Generators/monai_pipeline_reference.py` (see `Tests/Fixtures/pipeline-parity/README.md`).
///
/// The stages are run one by one with the same public calls, in the same order, as
/// `SegmentationPipeline.run` (which keeps the probabilities to itself), so that the source-grid probabilities
/// can be compared too; `segd process` itself is checked against the same references in SegdCLITests.
@Suite(.serialized) struct PipelineParityTests {
    /// Bound on |p_segd − p_MONAI| at the sampled source voxels (the acceptance figure).
    static let probabilityTolerance: Float = 1e-3
    /// Bound on Dice per label.
    static let minimumDice = 0.999

    static var buildFolder: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while dir.path != "/"
            && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("libSegdPluginUNet.so").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    @Test(arguments: ["ct3d", "ct2d", "mr3d"])
    func matchesMONAIOnARealSeries(_ name: String) async throws {
        try await offPool { try Self.check(name) }
    }

    static func check(_ name: String) throws {
        let reference = try ParityReference(name)
        let bundle = try ModelBundle.load(directory: reference.folder)
        let manifest = bundle.manifest
        let scan = try DICOMScanner.scan(directory: try reference.seriesFolder())
        let stack = try #require(scan.acceptedStacks.first)
        let volume = try stack.loadVolume()
        let g = volume.geometry
        #expect([g.size.x, g.size.y, g.size.z] == reference.sourceShape)

        let registry = PluginRegistry(directories: [.init(Self.buildFolder.path, isBuildFolder: true)])
        let network = try PluginNetwork(plugin: try registry.plugin(for: manifest.network.className),
                                        description: manifest.network, weightsPath: bundle.weightsURL.path)
        let predictor = SlidingWindowInference.predictor { x in try network.forward(x) }

        // The stages of SegmentationPipeline.run.
        let pipeline = SegmentationPipeline(manifest: manifest)
        try pipeline.check(source: g, modality: stack.modality)
        let grid = try ModelSpaceGrid(source: g, orientation: manifest.orientation, spacing: manifest.spacing)
        #expect(grid.shape == reference.modelShape)
        for (r, row) in grid.rasAffine.enumerated() {
            for (c, v) in row.enumerated() {
                #expect(abs(v - reference.modelAffineRAS[r][c]) < 1e-3, "model affine [\(r)][\(c)]")
            }
        }
        var input = try grid.resample(volume)
        input.withUnsafeMutableBufferPointer { manifest.intensity.apply($0) }
        var windows = 0
        var probabilities = try input.withUnsafeBufferPointer {
            try SlidingWindowInference(settings: manifest.inference).run(
                input: $0, channels: 1, shape: grid.shape, sliceAxis: pipeline.sliceAxis,
                progress: { _, total in windows = total }, predictor: predictor)
        }
        input = []
        #expect(windows == reference.windows)
        let channels = probabilities.count / grid.voxelCount
        try #require(channels == reference.channels)
        probabilities.withUnsafeMutableBufferPointer {
            manifest.output.activate($0, channels: channels, count: grid.voxelCount)
        }

        // Back on the source grid: the probabilities at the sampled voxels, and where segd's argmax differs from
        // MONAI's, by how much segd's own probabilities separate the two labels.
        let plane = g.sliceVoxelCount
        var sampled = [Float](repeating: .nan, count: reference.samples.count * channels)
        var flipMargin: Float = 0
        var next = 0
        try probabilities.withUnsafeBufferPointer { p in
            try grid.forEachSourceSlice(channels: channels, values: p) { k, slice in
                while next < reference.samples.count && reference.samples[next] / plane == k {
                    let v = reference.samples[next] % plane
                    for c in 0..<channels { sampled[next * channels + c] = slice[c * plane + v] }
                    next += 1
                }
                for v in 0..<plane {
                    let theirs = Int(reference.argmax[k * plane + v])
                    var best = 0
                    for c in 1..<channels where slice[c * plane + v] > slice[best * plane + v] { best = c }
                    if best != theirs {
                        flipMargin = max(flipMargin, slice[best * plane + v] - slice[theirs * plane + v])
                    }
                }
            }
        }
        var maxError: Float = 0
        for (a, b) in zip(sampled, reference.probabilities) { maxError = max(maxError, abs(a - b)) }
        #expect(maxError <= Self.probabilityTolerance, "max |p_segd − p_MONAI| at \(reference.samples.count) voxels")

        // The decision and the postprocessing, as the pipeline makes them.
        let argmax = try probabilities.withUnsafeBufferPointer {
            try grid.labelMap(probabilities: $0, channels: channels, output: manifest.output)
        }
        probabilities = []
        var final = argmax
        manifest.postprocessing.apply(to: &final)

        let before = LabelAgreement(argmax.labels, reference.argmax, labels: channels)
        let after = LabelAgreement(final.labels, reference.labels, labels: channels)
        print("parity \(name): \(windows) windows, max |Δp| = \(maxError) at \(reference.samples.count) voxels;",
              "argmax \(before); final \(after); largest segd margin where the argmax differs: \(flipMargin)")
        for (label, dice) in before.dice { #expect(dice >= Self.minimumDice, "argmax Dice of label \(label)") }
        for (label, dice) in after.dice { #expect(dice >= Self.minimumDice, "final Dice of label \(label)") }
        // Every voxel labelled differently is a numerical tie: segd's probabilities for its label and MONAI's
        // differ by less than the probability tolerance.
        #expect(flipMargin <= Self.probabilityTolerance, "argmax differs where segd's margin is \(flipMargin)")
    }
}
