/// What one label of a `LabelMap` means: the content of a DICOM-SEG Segment Sequence item.
public struct SegmentDescription: Sendable, Hashable, Codable {
    /// The label value in the label map (1…255).
    public var label: UInt8
    /// SegmentLabel, e.g. "Lung".
    public var name: String
    /// SegmentedPropertyCategoryCodeSequence.
    public var category: CodedConcept
    /// SegmentedPropertyTypeCodeSequence.
    public var type: CodedConcept
    /// AnatomicRegionSequence, if any.
    public var anatomicRegion: CodedConcept?
    /// Display colour as sRGB 0…255.
    public var color: RGB

    public init(label: UInt8, name: String, category: CodedConcept, type: CodedConcept,
                anatomicRegion: CodedConcept? = nil, color: RGB) {
        self.label = label
        self.name = name
        self.category = category
        self.type = type
        self.anatomicRegion = anatomicRegion
        self.color = color
    }
}

/// An sRGB colour with 8-bit channels.
public struct RGB: Sendable, Hashable, Codable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }
}
