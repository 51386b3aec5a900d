/// A coded concept as in a DICOM Code Sequence item: (CodeValue, CodingSchemeDesignator, CodeMeaning).
public struct CodedConcept: Sendable, Hashable, Codable {
    /// CodingSchemeDesignator, e.g. "SCT" for SNOMED CT or "DCM".
    public var scheme: String
    /// CodeValue, e.g. "78961009".
    public var value: String
    /// CodeMeaning, e.g. "Spleen".
    public var meaning: String

    public init(scheme: String, value: String, meaning: String) {
        self.scheme = scheme
        self.value = value
        self.meaning = meaning
    }
}

extension CodedConcept {
    /// SNOMED CT "Tissue" (segmented property category).
    public static let tissue = CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue")
    /// SNOMED CT "Anatomical Structure" (segmented property category).
    public static let anatomicalStructure = CodedConcept(scheme: "SCT", value: "123037004", meaning: "Anatomical Structure")
    /// SNOMED CT "Organ" (segmented property category).
    public static let organ = CodedConcept(scheme: "SCT", value: "91723000", meaning: "Anatomical structure")
}
