import Imaging

/// An estimate of a job's peak memory in bytes, from the source grid and the manifest, made before the job
/// starts. It counts the buffers the pipeline itself holds, phase by phase, and takes the largest phase:
///
/// | phase | buffers |
/// |---|---|
/// | preprocess | source volume (4 B/voxel) + model-space input (4 B/model voxel) |
/// | inference | source + model input + accumulator (4·C_out B/model voxel) + window batch (input and output) + importance map |
/// | back to source | source + accumulator + label map (1 B/voxel) + one source slice of C_out channels + 8 model planes of C_out channels |
/// | postprocess | source + label map + component index (4 B/voxel) |
///
/// The network's own working memory (activations inside a plugin) is not included: add the plugin's figure
/// for one batch of windows to `peakBytes`.
public struct MemoryEstimate: Sendable, Equatable {
    public var sourceVoxels: Int
    public var modelVoxels: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var windowVoxels: Int
    public var batch: Int

    public var preprocessBytes: Int { 4 * sourceVoxels + 4 * inputChannels * modelVoxels }
    public var inferenceBytes: Int {
        4 * sourceVoxels + 4 * inputChannels * modelVoxels + 4 * outputChannels * modelVoxels
            + 4 * batch * (inputChannels + outputChannels) * windowVoxels + 4 * windowVoxels
    }
    public var backToSourceBytes: Int {
        4 * sourceVoxels + 4 * outputChannels * modelVoxels + sourceVoxels + 4 * outputChannels * sliceVoxels
            + 4 * ModelSpaceGrid.sliceBlock * outputChannels * modelPlaneVoxels
    }
    public var postprocessBytes: Int { 4 * sourceVoxels + sourceVoxels + 4 * sourceVoxels }
    var sliceVoxels = 0
    var modelPlaneVoxels = 0

    /// The largest phase.
    public var peakBytes: Int { max(preprocessBytes, inferenceBytes, backToSourceBytes, postprocessBytes) }

    /// The estimate for running `manifest` on a series with grid `source`.
    public init(source: Geometry, manifest: ModelManifest) throws(ModelError) {
        let grid = try ModelSpaceGrid(source: source, orientation: manifest.orientation, spacing: manifest.spacing)
        sourceVoxels = source.voxelCount
        sliceVoxels = source.sliceVoxelCount
        modelVoxels = grid.voxelCount
        modelPlaneVoxels = grid.voxelCount / grid.geometry.size[grid.modelAxisOfSource[2]]
        inputChannels = 1
        outputChannels = manifest.outputChannels
        windowVoxels = manifest.inference.roiSize.reduce(1, *)
        batch = manifest.inference.swBatchSize
    }
}

extension ModelManifest {
    /// The network's output channel count: its `out_channels` (MONAI) or `num_classes` (UTNet) kwarg when given, else what the labels need
    /// (largest label + 1 for argmax, largest label for threshold).
    public var outputChannels: Int {
        for key in ["out_channels", "num_classes"] {
            if case .number(let n)? = network.kwargs[key], n >= 1 { return Int(n) }
        }
        let largest = Int(labels.map(\.label).max() ?? 1)
        if case .threshold = output.decision { return largest }
        return largest + 1
    }
}
