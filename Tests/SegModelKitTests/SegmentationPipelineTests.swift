import Foundation
import Imaging
import Testing
@testable import SegModelKit

@Suite struct SegmentationPipelineTests {
    /// The sample manifest with a small window, no weights needed (the predictor is given directly).
    static func manifest(spatialDims: SpatialDims = .three, roi: [Int] = [24, 24, 24]) throws -> ModelManifest {
        var m = try ModelManifest(json: sampleManifestJSON)
        m.spatialDims = spatialDims
        m.intensity = [.scaleIntensityRange(aMin: 0, aMax: 100, bMin: 0, bMax: 1, clip: true)]
        m.inference = SlidingWindowSettings(roiSize: roi, overlap: 0.25, mode: .gaussian, sigmaScale: 0.125, swBatchSize: 2)
        m.postprocessing = PostprocessingSettings(keepLargestComponent: .all, keepLargestConnectivity: .full,
                                                  removeComponentsSmallerThan: 0, removeSmallConnectivity: .faces)
        return m
    }

    /// A "network" that thresholds intensity: logits [0, 20·(x − 0.5)] per voxel.
    static func thresholdNetwork(_ patch: [Float], _ shape: [Int]) throws -> [Float] {
        let n = shape[0], voxels = patch.count / n
        var out = [Float](repeating: 0, count: 2 * patch.count)
        for b in 0..<n {
            for v in 0..<voxels { out[(2 * b + 1) * voxels + v] = 20 * (patch[b * voxels + v] - 0.5) }
        }
        return out
    }

    /// An oblique volume with a sphere of intensity 100 and a small separate blob (removed by keep-largest).
    static func volume() -> (Volume, LabelMap) {
        let a = 0.3
        let d = Matrix3(rowMajor: [cos(a), 0, sin(a), 0, 1, 0, -sin(a), 0, cos(a)])
        let g = Geometry(size: SIMD3(50, 46, 30), spacing: Vector3(0.8, 0.8, 1.6), origin: Vector3(-20, -18, -24), direction: d)
        var v = Volume(geometry: g)
        var truth = LabelMap(geometry: g)
        let centre = g.point(at: Vector3(20, 25, 14)), blob = g.point(at: Vector3(44, 6, 25))
        for k in 0..<g.size.z { for j in 0..<g.size.y { for i in 0..<g.size.x {
            let p = g.point(i: i, j: j, k: k)
            if (p - centre).length <= 8 { v[i, j, k] = 100; truth[i, j, k] = 1 }
            if (p - blob).length <= 2.5 { v[i, j, k] = 100 }
        } } }
        return (v, truth)
    }

    static func dice(_ a: LabelMap, _ b: LabelMap, label: UInt8) -> Double {
        var both = 0, na = 0, nb = 0
        for v in 0..<a.labels.count {
            let x = a.labels[v] == label, y = b.labels[v] == label
            if x { na += 1 }
            if y { nb += 1 }
            if x && y { both += 1 }
        }
        return 2 * Double(both) / Double(na + nb)
    }

    @Test func threeDimensionalRunSegmentsTheSphereOnTheSourceGrid() throws {
        let (volume, truth) = Self.volume()
        var progress: [Int] = []
        let result = try SegmentationPipeline(manifest: Self.manifest()).run(volume: volume, modality: "CT",
                                                                              progress: { done, _ in progress.append(done) }) { p, s in
            try Self.thresholdNetwork(p, s)
        }
        #expect(result.labelMap.geometry == volume.geometry)
        #expect(Self.dice(result.labelMap, truth, label: 1) > 0.95)
        #expect(result.voxelCounts[1] == result.labelMap.histogram[1])
        #expect(result.windows > 1 && progress.last == result.windows)
        #expect(result.grid.geometry.spacing == Vector3(1.5, 1.5, 2.0))
    }

    @Test func twoDimensionalRunSlicesAlongTheAxialAxis() throws {
        let (volume, truth) = Self.volume()
        let pipeline = try SegmentationPipeline(manifest: Self.manifest(spatialDims: .two(plane: .axial), roi: [20, 20]))
        #expect(pipeline.sliceAxis == 2)  // RAS: axis 2 runs along S
        var shapes: [[Int]] = []
        let result = try pipeline.run(volume: volume) { p, s in
            shapes.append(s)
            return try Self.thresholdNetwork(p, s)
        }
        #expect(shapes.allSatisfy { $0.count == 4 && Array($0[1...]) == [1, 20, 20] })
        #expect(Self.dice(result.labelMap, truth, label: 1) > 0.95)
    }

    @Test func refusesWrongModalityTooFewSlicesAndWrongChannels() throws {
        let (volume, _) = Self.volume()
        let pipeline = try SegmentationPipeline(manifest: Self.manifest())
        #expect(throws: ModelError.self) { try pipeline.run(volume: volume, modality: "MR") { p, s in try Self.thresholdNetwork(p, s) } }
        var m = try Self.manifest()
        m.input.minimumSlices = 31
        #expect(throws: ModelError.self) { try SegmentationPipeline(manifest: m).run(volume: volume) { p, s in try Self.thresholdNetwork(p, s) } }
        var calls = 0
        do {
            _ = try pipeline.run(volume: volume) { p, s in
                calls += 1
                return try Self.thresholdNetwork(p, s) + [Float](repeating: 0, count: p.count)  // 3 channels
            }
            Issue.record("ran with 3 channels for 1 label")
        } catch {
            #expect(error.code == .invalidTensor)
            #expect(calls == 1)
        }
    }

    @Test func memoryEstimateCountsEachPhase() throws {
        let source = Geometry(size: SIMD3(512, 512, 300), spacing: Vector3(0.75, 0.75, 1.0), origin: .zero, direction: .identity)
        var m = try Self.manifest()
        m.inference = SlidingWindowSettings(roiSize: [96, 96, 96], swBatchSize: 1)
        m.network.kwargs["out_channels"] = .number(14)
        let e = try MemoryEstimate(source: source, manifest: m)
        // Model grid at 1.5 × 1.5 × 2.0 mm: round(511·0.5 + 1) = 256 (half-even), 256, round(299/2 + 1) = 150.
        #expect(e.modelVoxels == 256 * 256 * 150)
        #expect(e.outputChannels == 14)
        let src = 512 * 512 * 300, model = 256 * 256 * 150, win = 96 * 96 * 96
        #expect(e.inferenceBytes == 4 * src + 4 * model + 4 * 14 * model + 4 * 15 * win + 4 * win)
        #expect(e.peakBytes == max(e.inferenceBytes, e.backToSourceBytes, e.postprocessBytes, e.preprocessBytes))
        // Inference holds source + model input + the 14-channel accumulator + the window batch: 961 MB; resampling
        // back holds source + accumulator + label map + a slice + 8 model planes: 988 MB, the peak.
        #expect(e.inferenceBytes == 961_019_904)
        #expect(e.peakBytes == e.backToSourceBytes)
        #expect(e.backToSourceBytes == 958_398_464 + 4 * 8 * 14 * 256 * 256)  // = 987_758_592
    }
}
