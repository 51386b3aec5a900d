import Imaging

/// One source image plane of a stack: a single-frame instance, or one frame of a multi-frame instance.
public struct SourceFrame: Sendable, Hashable {
    /// File the frame is read from.
    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// 1-based frame number inside a multi-frame instance; nil for single-frame instances.
    public var frameNumber: Int?
    /// ImagePositionPatient of the frame (LPS mm): the centre of its first voxel.
    public var imagePositionPatient: Vector3
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
}

/// A stack of parallel, equally spaced slices that forms one volume, with everything downstream needs to
/// segment it and to reference it from a DICOM-SEG.
public struct SeriesStack: Sendable {
    /// The volume grid: x = column, y = row, z = slice (in `sources` order), LPS, SimpleITK conventions.
    public var geometry: Geometry
    /// The source planes in z order: `sources[k]` is slice k of the volume.
    public var sources: [SourceFrame]
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var frameOfReferenceUID: String
    public var modality: String
    /// Routing attributes by DICOM keyword (SeriesDescription, BodyPartExamined, Manufacturer,
    /// ManufacturerModelName, SliceThickness, ProtocolName, ...). Never patient identity.
    public var attributes: [String: String]
    /// UID attributes that are present but empty (e.g. after a broken anonymiser). A SEG cannot reference
    /// the series unless this is empty.
    public var emptyUIDs: [String]

    /// Number of slices (geometry.size.z). 1 means a single 2-D image; its z spacing is SliceThickness.
    public var sliceCount: Int { sources.count }
    public var isSingleSlice: Bool { sources.count == 1 }
    /// Whether a DICOM-SEG can reference every source (all UIDs present).
    public var isReferenceable: Bool { emptyUIDs.isEmpty }
}
