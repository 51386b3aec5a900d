/// Sliding-window inference exactly as MONAI `sliding_window_inference` (windows, padding, blending,
/// normalisation), streamed: one batch of windows at a time, with the output accumulator as the only
/// full-size buffer (the per-voxel normaliser is recomputed from the window layout instead of stored).
public struct SlidingWindowInference: Sendable {
    /// Runs the network on a batch: `patch` has shape `shape` = [N, C, spatial…] (C order), and the result must
    /// be [N, C_out, same spatial…].
    public typealias Predictor = (_ patch: [Float], _ shape: [Int]) throws -> [Float]
    /// Reports windows done and the total.
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    public let settings: SlidingWindowSettings

    public init(settings: SlidingWindowSettings) { self.settings = settings }

    /// The 3-D window size for an image: `roiSize` itself for 3-D models, or for 2-D models the two in-plane
    /// sizes with a window of 1 along `sliceAxis` (so each window lies in one slice, as a slice-by-slice loop).
    public func roi3D(sliceAxis: Int?) -> [Int] {
        guard let sliceAxis else { return settings.roiSize }
        var roi = settings.roiSize
        roi.insert(1, at: sliceAxis)
        return roi
    }

    /// Runs the windows over `input` ([C][s0][s1][s2], axis 2 fastest) and returns the blended output
    /// [C_out][s0][s1][s2]. For a 2-D model pass `sliceAxis`: the predictor then gets [N, C, H, W] patches, the
    /// in-plane axes in model-space order.
    public func run(input: UnsafeBufferPointer<Float>, channels: Int, shape: [Int], sliceAxis: Int? = nil,
                    progress: Progress? = nil, predictor: Predictor) throws(ModelError) -> [Float] {
        let roi = roi3D(sliceAxis: sliceAxis)
        guard shape.count == 3, roi.count == 3, shape.allSatisfy({ $0 > 0 }), roi.allSatisfy({ $0 > 0 }) else {
            throw ModelError(.invalidTensor, "sliding window needs a 3-D image and a window of matching rank")
        }
        let voxels = shape.reduce(1, *)
        guard input.count == channels * voxels else {
            throw ModelError(.invalidTensor, "the input has \(input.count) values, not \(channels) × \(shape)")
        }
        let plan = SlidingWindowPlan(shape: shape, roi: roi, overlap: settings.overlap)
        if settings.paddingMode == .reflect {
            for d in 0..<3 where plan.paddedShape[d] - shape[d] - plan.padBefore[d] >= shape[d] {
                throw ModelError(.unsupportedInput,
                                 "reflect padding needs the image (\(shape[d]) voxels on axis \(d)) larger than the padding; use replicate or constant")
            }
        }
        let weights = ImportanceMap.make(size: settings.roiSize, mode: settings.mode, sigmaScale: settings.sigmaScale)
        let roiVoxels = roi.reduce(1, *)
        var patchShape = settings.roiSize
        let sampler = PaddedReader(shape: shape, padBefore: plan.padBefore, mode: settings.paddingMode, cval: settings.cval)
        var accumulator: [Float] = []
        var outChannels = 0
        let total = plan.windowCount
        var done = 0
        while done < total {
            let n = min(settings.swBatchSize, total - done)
            var patch = [Float](repeating: 0, count: n * channels * roiVoxels)
            for b in 0..<n {
                sampler.read(input, channels: channels, start: plan.start(of: done + b), roi: roi,
                             into: &patch, at: b * channels * roiVoxels)
            }
            patchShape = [n, channels] + settings.roiSize
            let out: [Float]
            do { out = try predictor(patch, patchShape) } catch let error as ModelError { throw error } catch {
                throw ModelError(.inferenceFailed, "the network failed on windows \(done + 1)…\(done + n) of \(total): \(error)")
            }
            guard out.count > 0, out.count % (n * roiVoxels) == 0 else {
                throw ModelError(.invalidTensor,
                                 "the network returned \(out.count) values for \(n) windows of \(roiVoxels) voxels; segd needs outputs the size of the window")
            }
            if accumulator.isEmpty {
                outChannels = out.count / (n * roiVoxels)
                accumulator = [Float](repeating: 0, count: outChannels * voxels)
            } else if out.count != n * outChannels * roiVoxels {
                throw ModelError(.invalidTensor, "the network's channel count changed between windows")
            }
            for b in 0..<n {
                accumulate(out, at: b * outChannels * roiVoxels, channels: outChannels, weights: weights,
                           start: plan.start(of: done + b), plan: plan, into: &accumulator)
            }
            done += n
            progress?(done, total)
        }
        normalise(&accumulator, channels: outChannels, weights: weights, plan: plan)
        return accumulator
    }
}
