import Imaging

/// The header facts of one image instance that grouping, sorting and decoding need.
struct InstanceHeader: Sendable {
    /// Per-frame geometry and rescale (one entry for single-frame files).
    struct Frame: Sendable {
        var position: Vector3?
        var orientation: [Double]
        var pixelSpacing: [Double]
        var slope: Double
        var intercept: Double
        /// TemporalPositionIndex / EffectiveEchoTime of enhanced objects, used to name 4D repeats.
        var temporal: String
    }

    var path: String
    var sopClassUID: String
    var sopInstanceUID: String
    var seriesInstanceUID: String
    var studyInstanceUID: String
    var frameOfReferenceUID: String
    var modality: String
    var imageType: [String]
    var rows: Int
    var columns: Int
    var frames: [Frame]
    var sliceThickness: Double?
    var spacingBetweenSlices: Double?
    /// Attributes that tell repeats of one position apart (time points, echoes, b-values).
    var distinguishing: [String: String]
    /// Routing attributes (keyword -> value); never patient identity.
    var attributes: [String: String]
    var emptyUIDs: [String]
}

extension InstanceHeader {
    /// Keywords copied into `attributes` (no patient identity).
    static let attributeTags: [(String, UInt32)] = [
        ("Modality", Tag.modality), ("Manufacturer", Tag.manufacturer),
        ("ManufacturerModelName", Tag.manufacturerModelName), ("SeriesDescription", Tag.seriesDescription),
        ("StudyDescription", Tag.studyDescription), ("BodyPartExamined", Tag.bodyPartExamined),
        ("ProtocolName", Tag.protocolName), ("SeriesNumber", Tag.seriesNumber), ("SeriesDate", Tag.seriesDate),
        ("SliceThickness", Tag.sliceThickness), ("SpacingBetweenSlices", Tag.spacingBetweenSlices),
        ("ImageType", Tag.imageType), ("KVP", Tag.kvp), ("ConvolutionKernel", Tag.convolutionKernel),
        ("ContrastBolusAgent", Tag.contrastBolusAgent), ("MagneticFieldStrength", Tag.magneticFieldStrength),
        ("ScanningSequence", Tag.scanningSequence), ("PatientPosition", Tag.patientPosition),
    ]

    /// Reads the header of an open file. Throws `.notAnImage` for DICOM objects that are not grey-scale images.
    init(file: DICOMFile) throws(DICOMError) {
        let sopClass = file.string(Tag.sopClassUID) ?? file.metaString(Tag.mediaStorageSOPClassUID) ?? ""
        if sopClass == SOPClass.mediaDirectory || file.has(Tag.directoryRecordSequence) {
            throw DICOMError(.notAnImage, "DICOMDIR / media directory file, not an image")
        }
        if sopClass == SOPClass.segmentation {
            throw DICOMError(.notAnImage, "DICOM-SEG segmentation object, not an input image")
        }
        let info = try file.pixelInfo()
        guard info.hasPixelData else {
            let name = sopClass.isEmpty ? "unknown SOP class" : "SOP class \(sopClass)"
            throw DICOMError(.notAnImage, "no PixelData (\(name)); not an image")
        }
        guard info.rows > 0, info.columns > 0 else { throw DICOMError(.notAnImage, "Rows or Columns missing or zero") }
        guard info.samplesPerPixel == 1 else {
            throw DICOMError(.notAnImage, "colour image (SamplesPerPixel \(info.samplesPerPixel)); only grey-scale is supported")
        }
        guard [8, 16, 32].contains(info.bitsAllocated) else {
            throw DICOMError(.notAnImage, "BitsAllocated \(info.bitsAllocated) is not supported")
        }
        // NumberOfFrames comes from the file: bound it by the pixel data before anything is sized by it.
        if let length = info.nativeLength {
            // Divided, not multiplied: Rows x Columns x NumberOfFrames x 4 bytes can exceed Int.max.
            let frameBytes = info.rows * info.columns * info.bitsAllocated / 8
            if length / frameBytes < info.frames {
                throw DICOMError(.unreadable, "pixel data is shorter than Rows x Columns x frames (\(length) bytes "
                                 + "for \(info.frames) frames of \(frameBytes) bytes); the file is truncated or corrupt")
            }
        }
        if let fragments = info.fragments, fragments < info.frames {
            throw DICOMError(.unreadable, "NumberOfFrames is \(info.frames) but the compressed pixel data has only "
                             + "\(fragments) fragments; the file is corrupt")
        }
        path = file.path
        sopClassUID = sopClass
        sopInstanceUID = file.string(Tag.sopInstanceUID) ?? ""
        seriesInstanceUID = file.string(Tag.seriesInstanceUID) ?? ""
        studyInstanceUID = file.string(Tag.studyInstanceUID) ?? ""
        frameOfReferenceUID = file.string(Tag.frameOfReferenceUID) ?? ""
        modality = file.string(Tag.modality) ?? ""
        imageType = (file.string(Tag.imageType) ?? "").split(separator: "\\").map { String($0).trimmingSpaces.uppercased() }
        rows = info.rows
        columns = info.columns
        sliceThickness = file.numbers(Tag.sliceThickness).first
        spacingBetweenSlices = file.numbers(Tag.spacingBetweenSlices).first
        emptyUIDs = [("SOPClassUID", sopClassUID), ("SOPInstanceUID", sopInstanceUID),
                     ("SeriesInstanceUID", seriesInstanceUID), ("StudyInstanceUID", studyInstanceUID)]
            .filter { $0.1.isEmpty }.map(\.0)
        var attributes: [String: String] = [:]
        for (keyword, tag) in Self.attributeTags {
            if let value = file.string(tag), !value.isEmpty { attributes[keyword] = value }
        }
        self.attributes = attributes
        var distinguishing: [String: String] = [:]
        for (keyword, tag) in [("AcquisitionNumber", Tag.acquisitionNumber), ("EchoNumbers", Tag.echoNumbers),
                               ("TemporalPositionIdentifier", Tag.temporalPositionIdentifier),
                               ("TriggerTime", Tag.triggerTime), ("DiffusionBValue", Tag.diffusionBValue)] {
            if let value = file.string(tag), !value.isEmpty { distinguishing[keyword] = value }
        }
        self.distinguishing = distinguishing
        frames = Self.readFrames(file: file, count: info.frames)
        if sliceThickness == nil, info.frames > 1 {
            sliceThickness = file.frameNumbers(0, macro: Tag.pixelMeasuresSequence, Tag.sliceThickness).first
        }
    }

    private static func readFrames(file: DICOMFile, count: Int) -> [Frame] {
        let topPosition = file.numbers(Tag.imagePositionPatient)
        let topOrientation = file.numbers(Tag.imageOrientationPatient)
        let topSpacing = file.numbers(Tag.pixelSpacing)
        let topSlope = file.numbers(Tag.rescaleSlope).first ?? 1
        let topIntercept = file.numbers(Tag.rescaleIntercept).first ?? 0
        func vector(_ v: [Double]) -> Vector3? { v.count >= 3 ? Vector3(v[0], v[1], v[2]) : nil }
        guard count > 1 else {
            return [Frame(position: vector(topPosition), orientation: topOrientation, pixelSpacing: topSpacing,
                          slope: topSlope, intercept: topIntercept, temporal: "")]
        }
        return (0..<count).map { f in
            func pick(_ macro: UInt32, _ tag: UInt32, _ fallback: [Double]) -> [Double] {
                let v = file.frameNumbers(f, macro: macro, tag)
                return v.isEmpty ? fallback : v
            }
            let temporal = file.frameNumbers(f, macro: Tag.frameContentSequence, Tag.temporalPositionIndex).first
            let echo = file.frameNumbers(f, macro: Tag.mrEchoSequence, Tag.effectiveEchoTime).first
            return Frame(
                position: vector(pick(Tag.planePositionSequence, Tag.imagePositionPatient, topPosition)),
                orientation: pick(Tag.planeOrientationSequence, Tag.imageOrientationPatient, topOrientation),
                pixelSpacing: pick(Tag.pixelMeasuresSequence, Tag.pixelSpacing, topSpacing),
                slope: pick(Tag.pixelValueTransformationSequence, Tag.rescaleSlope, [topSlope])[0],
                intercept: pick(Tag.pixelValueTransformationSequence, Tag.rescaleIntercept, [topIntercept])[0],
                temporal: [temporal.map { "t\($0)" }, echo.map { "TE\($0)" }].compactMap { $0 }.joined(separator: " "))
        }
    }
}
