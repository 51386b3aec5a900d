/// One intensity transform of a manifest, named and parameterised as in MONAI (or nnU-Net for `clipZScore`).
public enum IntensityTransform: Sendable, Equatable {
    /// MONAI `ScaleIntensityRange(a_min, a_max, b_min, b_max, clip)`.
    case scaleIntensityRange(aMin: Float, aMax: Float, bMin: Float?, bMax: Float?, clip: Bool)
    /// MONAI `NormalizeIntensity(subtrahend, divisor, nonzero, channel_wise)` on a single-channel image.
    /// Nil subtrahend/divisor mean the image's mean/std (population std, as MONAI's `torch.std(unbiased=False)`).
    case normalizeIntensity(subtrahend: Float?, divisor: Float?, nonzero: Bool, channelWise: Bool)
    /// nnU-Net's CT normalisation: clip to [lower, upper], then (x − mean) / max(std, 1e-8).
    case clipZScore(lower: Float, upper: Float, mean: Float, std: Float)

    /// The name used in the manifest.
    public var name: String {
        switch self {
        case .scaleIntensityRange: "ScaleIntensityRange"
        case .normalizeIntensity: "NormalizeIntensity"
        case .clipZScore: "ClipZScore"
        }
    }
}
