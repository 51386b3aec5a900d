/// Parameters of MONAI `sliding_window_inference`.
public struct SlidingWindowSettings: Sendable, Equatable {
    public enum BlendMode: String, Sendable, Equatable { case constant, gaussian }
    /// How the input is padded when it is smaller than the window (PyTorch `F.pad` modes).
    public enum PaddingMode: String, Sendable, Equatable { case constant, replicate, reflect, circular }

    /// Window size along the model-space axes (3 numbers for 3-D models, 2 for 2-D models: the in-plane axes).
    public var roiSize: [Int]
    /// Fraction of overlap between neighbouring windows, 0 ≤ overlap < 1.
    public var overlap: Double
    public var mode: BlendMode
    /// Gaussian sigma as a fraction of the window size (MONAI default 0.125).
    public var sigmaScale: Double
    /// Windows per predictor call.
    public var swBatchSize: Int
    public var paddingMode: PaddingMode
    /// Fill value for constant padding.
    public var cval: Float

    public init(roiSize: [Int], overlap: Double = 0.25, mode: BlendMode = .constant, sigmaScale: Double = 0.125,
                swBatchSize: Int = 1, paddingMode: PaddingMode = .constant, cval: Float = 0) {
        self.roiSize = roiSize
        self.overlap = overlap
        self.mode = mode
        self.sigmaScale = sigmaScale
        self.swBatchSize = swBatchSize
        self.paddingMode = paddingMode
        self.cval = cval
    }
}
