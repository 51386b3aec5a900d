extension SeriesStack {
    /// The DICOM keywords a stack carries in `attributes` (for routing rules). Never patient identity.
    public static let routingKeywords: [String] = InstanceHeader.attributeTags.map(\.0)
}
