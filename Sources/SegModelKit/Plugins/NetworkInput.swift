public import NN

extension Tensor {
    /// Checks a network's input before any work: rank `spatialDims + 2` ([N, C, spatial…]), a non-empty batch,
    /// `channels` input channels and finite values. Every plugin calls this first in `forward`.
    public func checkNetworkInput(spatialDims: Int, channels: Int, network: String) throws(ModelError) {
        guard rank == spatialDims + 2 else {
            let axes = spatialDims == 3 ? "D, H, W" : "H, W"
            throw ModelError(.unsupportedInput,
                             "\(network) expects a \(spatialDims + 2)-D input [N, C, \(axes)], got rank \(rank) \(shape)")
        }
        guard shape[0] >= 1 else { throw ModelError(.unsupportedInput, "\(network) input has an empty batch: \(shape)") }
        guard shape[1] == channels else {
            throw ModelError(.unsupportedInput,
                             "\(network) expects \(channels) input channel(s), got \(shape[1]) channels (shape \(shape))")
        }
        guard !hasNonFinite else {
            throw ModelError(.unsupportedInput,
                             "\(network) input contains NaN or infinite values; check the input volume and its preprocessing")
        }
    }
}
