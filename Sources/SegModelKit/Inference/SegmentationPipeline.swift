import Imaging

/// The whole pure-Swift pipeline of a model bundle on one volume: reorient + resample to model space →
/// intensity transforms → sliding-window inference → activation → back to the exact source grid → decision →
/// postprocessing. The network is the `predictor`; nothing here knows DICOM or the NN engine.
public struct SegmentationPipeline: Sendable {
    public enum Stage: String, Sendable, CaseIterable { case preprocess, inference, resampleBack, postprocess }

    public struct Result: Sendable {
        /// The label map on the source grid.
        public var labelMap: LabelMap
        /// Voxel count per label value (256 entries).
        public var voxelCounts: [Int]
        /// The model-space grid used.
        public var grid: ModelSpaceGrid
        /// Windows run by the sliding window.
        public var windows: Int
        /// Wall time per stage.
        public var timings: [Stage: Duration]
    }

    public let manifest: ModelManifest

    public init(manifest: ModelManifest) { self.manifest = manifest }

    /// Checks the input constraints of the manifest against a series.
    public func check(source: Geometry, modality: String?) throws(ModelError) {
        if let wanted = manifest.input.modality, let modality, wanted.uppercased() != modality.uppercased() {
            throw ModelError(.unsupportedInput,
                             "model \(manifest.id) is for \(wanted) series, not \(modality); choose a model for this modality")
        }
        if source.size.z < manifest.input.minimumSlices {
            throw ModelError(.unsupportedInput,
                             "model \(manifest.id) needs at least \(manifest.input.minimumSlices) slices, the series has \(source.size.z)")
        }
    }

    /// The model-space axis a 2-D model slices along (the one running along the plane's normal), or nil for 3-D.
    public var sliceAxis: Int? {
        guard case .two(let plane) = manifest.spatialDims else { return nil }
        return (0..<3).first { manifest.orientation.worldAxis[$0] == plane.normalAxis }
    }

    public func run(volume: Volume, modality: String? = nil, progress: SlidingWindowInference.Progress? = nil,
                    predictor: SlidingWindowInference.Predictor) throws(ModelError) -> Result {
        try check(source: volume.geometry, modality: modality)
        let clock = ContinuousClock()
        var timings: [Stage: Duration] = [:]
        var start = clock.now

        let grid = try ModelSpaceGrid(source: volume.geometry, orientation: manifest.orientation, spacing: manifest.spacing)
        var input = try grid.resample(volume)
        input.withUnsafeMutableBufferPointer { manifest.intensity.apply($0) }
        timings[.preprocess] = clock.now - start
        start = clock.now

        var windows = 0
        let sw = SlidingWindowInference(settings: manifest.inference)
        let windowVoxels = manifest.inference.roiSize.reduce(1, *)
        var checked = false
        var probabilities = try input.withUnsafeBufferPointer { (buffer) throws(ModelError) -> [Float] in
            try sw.run(input: buffer, channels: 1, shape: grid.shape, sliceAxis: sliceAxis,
                       progress: { done, total in windows = total; progress?(done, total) }) { patch, shape in
                let out = try predictor(patch, shape)
                if !checked {  // check the channel count on the first batch, before running every window
                    try checkChannels(out.count / max(1, shape[0] * windowVoxels))
                    checked = true
                }
                return out
            }
        }
        input = []  // free the model-space input before the next stage
        let channels = probabilities.count / grid.voxelCount
        probabilities.withUnsafeMutableBufferPointer {
            manifest.output.activate($0, channels: channels, count: grid.voxelCount)
        }
        timings[.inference] = clock.now - start
        start = clock.now

        var map: LabelMap
        do {
            map = try probabilities.withUnsafeBufferPointer {
                try grid.labelMap(probabilities: $0, channels: channels, output: manifest.output)
            }
        } catch let error as ModelError { throw error } catch {
            throw ModelError(.inferenceFailed, "resampling the probabilities back failed: \(error)")
        }
        probabilities = []
        timings[.resampleBack] = clock.now - start
        start = clock.now

        manifest.postprocessing.apply(to: &map)
        timings[.postprocess] = clock.now - start
        return Result(labelMap: map, voxelCounts: map.histogram, grid: grid, windows: windows, timings: timings)
    }

    /// The network's channels must produce every label of the manifest and no undescribed label.
    func checkChannels(_ channels: Int) throws(ModelError) {
        let produced: ClosedRange<Int>
        switch manifest.output.decision {
        case .argmax: produced = 1...max(1, channels - 1)
        case .threshold: produced = 1...max(1, channels)
        }
        let described = Set(manifest.labels.map { Int($0.label) })
        let missing = described.filter { !produced.contains($0) }.sorted()
        let undescribed = produced.filter { !described.contains($0) }
        guard missing.isEmpty, undescribed.isEmpty, !(manifest.output.decision == .argmax && channels < 2) else {
            throw ModelError(.invalidTensor,
                             "the network gives \(channels) output channels, which make labels \(produced), but model.json describes labels \(described.sorted()); fix labels or out_channels")
        }
    }
}
