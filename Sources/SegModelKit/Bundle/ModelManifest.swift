import Imaging

/// The content of a model bundle's `model.json`: the network, its weights and the exact pre- and
/// postprocessing it was trained with. Declarative data only; see `ModelManifest(json:)` for the format.
public struct ModelManifest: Sendable, Equatable {
    public var id: String
    public var version: String
    public var description: String
    public var intendedUse: String
    public var network: NetworkDescription
    public var weights: WeightsReference
    public var input: InputConstraints
    public var spatialDims: SpatialDims
    /// The axis codes the model expects (MONAI `Orientation(axcodes:)`).
    public var orientation: AxisCodes
    /// Target spacing in mm along the model axes (MONAI `Spacing(pixdim:)`), or nil to keep the source spacing.
    /// A non-positive component keeps the source spacing along that axis, as in MONAI.
    public var spacing: Vector3?
    /// Intensity transforms, applied in order.
    public var intensity: [IntensityTransform]
    public var inference: SlidingWindowSettings
    public var output: OutputSettings
    public var postprocessing: PostprocessingSettings
    /// The segments, by label value (1…255).
    public var labels: [SegmentDescription]
}

/// The weights file of a bundle and its expected SHA-256.
public struct WeightsReference: Sendable, Equatable {
    /// File name inside the bundle folder (no path separators).
    public var file: String
    /// Lower-case hex SHA-256 of the file.
    public var sha256: String

    public init(file: String, sha256: String) {
        self.file = file
        self.sha256 = sha256
    }
}

/// What the model accepts.
public struct InputConstraints: Sendable, Equatable {
    /// DICOM Modality the model was trained on (e.g. "CT"), or nil for any.
    public var modality: String?
    /// The fewest slices a series must have.
    public var minimumSlices: Int

    public init(modality: String?, minimumSlices: Int) {
        self.modality = modality
        self.minimumSlices = minimumSlices
    }
}

/// The anatomical plane a 2-D model works in.
public enum SlicePlane: String, Sendable, Equatable, CaseIterable {
    case axial, coronal, sagittal

    /// The LPS axis normal to the plane (0 = L/R, 1 = P/A, 2 = S/I).
    public var normalAxis: Int {
        switch self {
        case .sagittal: 0
        case .coronal: 1
        case .axial: 2
        }
    }
}

/// Whether the network is 3-D, or 2-D and run slice by slice in a plane.
public enum SpatialDims: Sendable, Equatable {
    case three
    case two(plane: SlicePlane)
}

/// Activation over the network's output channels, then the decision that makes labels.
public struct OutputSettings: Sendable, Equatable {
    public enum Activation: String, Sendable, Equatable { case softmax, sigmoid, none }
    public enum Decision: Sendable, Equatable {
        /// Label = index of the most probable channel (channel 0 is background).
        case argmax
        /// Label = 1 + index of the most probable channel among those above the threshold, else 0.
        case threshold(Float)
    }
    public var activation: Activation
    public var decision: Decision

    public init(activation: Activation, decision: Decision) {
        self.activation = activation
        self.decision = decision
    }
}

/// Connected-component cleanup of the label map.
public struct PostprocessingSettings: Sendable, Equatable {
    public enum LabelSelection: Sendable, Equatable {
        case none
        case all
        case labels([UInt8])
    }
    /// Keep only the largest connected component of these labels (each label independently).
    public var keepLargestComponent: LabelSelection
    /// Connectivity for `keepLargestComponent`: 26 (MONAI's default, full connectivity) or 6.
    public var keepLargestConnectivity: Connectivity
    /// Remove components with fewer voxels than this (0 = off), each label independently.
    public var removeComponentsSmallerThan: Int
    /// Connectivity for `removeComponentsSmallerThan`: 6 (MONAI `RemoveSmallObjects` default) or 26.
    public var removeSmallConnectivity: Connectivity

    public init(keepLargestComponent: LabelSelection, keepLargestConnectivity: Connectivity = .full,
                removeComponentsSmallerThan: Int = 0, removeSmallConnectivity: Connectivity = .faces) {
        self.keepLargestComponent = keepLargestComponent
        self.keepLargestConnectivity = keepLargestConnectivity
        self.removeComponentsSmallerThan = removeComponentsSmallerThan
        self.removeSmallConnectivity = removeSmallConnectivity
    }

    public static let none = PostprocessingSettings(
        keepLargestComponent: .none, keepLargestConnectivity: .full, removeComponentsSmallerThan: 0,
        removeSmallConnectivity: .faces)
}
