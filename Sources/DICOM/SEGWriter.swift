internal import CDCMTKShim
import Glibc
import Imaging

/// Options of a DICOM-SEG write.
public struct SEGWriteOptions: Sendable {
    /// Identifies the model in AlgorithmName / SegmentAlgorithmName (e.g. "totalseg-fast").
    public var algorithmName: String
    public var algorithmVersion: String
    public var seriesNumber: Int
    /// Defaults to "segd: <algorithm name> <version>".
    public var seriesDescription: String?
    public var contentCreator: String
    public var softwareVersion: String
    public var manufacturerModelName: String
    public var deviceSerialNumber: String
    /// Write a frame for every segment and slice, also where the segment has no voxels.
    public var keepEmptyFrames: Bool

    public init(algorithmName: String, algorithmVersion: String, seriesNumber: Int = 901,
                seriesDescription: String? = nil, contentCreator: String = "segd", softwareVersion: String,
                manufacturerModelName: String = "segd", deviceSerialNumber: String = "1",
                keepEmptyFrames: Bool = false) {
        self.algorithmName = algorithmName
        self.algorithmVersion = algorithmVersion
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.contentCreator = contentCreator
        self.softwareVersion = softwareVersion
        self.manufacturerModelName = manufacturerModelName
        self.deviceSerialNumber = deviceSerialNumber
        self.keepEmptyFrames = keepEmptyFrames
    }
}

/// What a SEG write produced: for the job summary.
public struct SEGWriteResult: Sendable {
    public struct Segment: Sendable, Hashable {
        public var number: Int
        public var label: UInt8
        public var name: String
        public var voxelCount: Int
        public var isEmpty: Bool { voxelCount == 0 }
    }
    public var path: String
    public var frames: Int
    public var seriesInstanceUID: String
    public var sopInstanceUID: String
    public var segments: [Segment]
    public var emptySegments: [Segment] { segments.filter(\.isEmpty) }
}

/// Writes a label map on the exact grid of a source series as a BINARY DICOM Segmentation.
public enum SEGWriter {
    /// Writes `labelMap` (which must be on `source.geometry`) to `path` atomically (temp file, fsync, rename).
    /// Refuses sources a SEG could not reference and labels without a description.
    public static func write(_ labelMap: LabelMap, source: SeriesStack, segments: [SegmentDescription],
                             options: SEGWriteOptions, to path: String) throws(DICOMError) -> SEGWriteResult {
        try validate(labelMap, source: source, segments: segments)
        let g = source.geometry
        let d = g.direction
        let thickness = Double(source.attributes["SliceThickness"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? g.spacing.z
        let description = options.seriesDescription ?? "segd: \(options.algorithmName) \(options.algorithmVersion)"

        var strings = CStrings()
        defer { strings.free() }
        let cSources = source.sources.map { s in
            dcmshim_seg_source(path: strings.add(s.path), sop_class_uid: strings.add(s.sopClassUID),
                               sop_instance_uid: strings.add(s.sopInstanceUID),
                               frame_number: UInt32(s.frameNumber ?? 0),
                               position: (s.imagePositionPatient.x, s.imagePositionPatient.y,
                                          s.imagePositionPatient.z))
        }
        let cSegments = segments.map { s in
            let lab = s.color.dicomCIELab
            return dcmshim_seg_segment(
                label: s.label, label_text: strings.add(s.name), category: strings.code(s.category),
                type: strings.code(s.type), anatomic_region: strings.code(s.anatomicRegion),
                cielab: (lab.l, lab.a, lab.b), algorithm_name: strings.add(options.algorithmName),
                algorithm_version: strings.add(options.algorithmVersion))
        }
        var result = dcmshim_seg_write_result()
        var error = dcmshim_error()
        let status = cSources.withUnsafeBufferPointer { src in
            cSegments.withUnsafeBufferPointer { seg in
                labelMap.labels.withUnsafeBufferPointer { labels in
                    var p = dcmshim_seg_write_params()
                    p.rows = UInt32(g.size.y)
                    p.columns = UInt32(g.size.x)
                    p.slices = UInt32(g.size.z)
                    p.sources = src.baseAddress
                    p.source_series_instance_uid = strings.add(source.seriesInstanceUID)
                    p.orientation = (d.columns.0.x, d.columns.0.y, d.columns.0.z,
                                     d.columns.1.x, d.columns.1.y, d.columns.1.z)
                    p.pixel_spacing = (g.spacing.y, g.spacing.x)
                    p.slice_thickness = thickness
                    p.spacing_between_slices = g.size.z > 1 ? g.spacing.z : 0
                    p.segments = seg.baseAddress
                    p.segment_count = UInt32(seg.count)
                    p.series_number = Int32(clamping: options.seriesNumber)
                    p.series_description = strings.add(description)
                    p.content_creator = strings.add(options.contentCreator)
                    p.content_label = strings.add("SEGMENTATION")
                    p.manufacturer = strings.add("segd")
                    p.model_name = strings.add(options.manufacturerModelName)
                    p.device_serial = strings.add(options.deviceSerialNumber)
                    p.software_version = strings.add(options.softwareVersion)
                    p.keep_empty_frames = options.keepEmptyFrames ? 1 : 0
                    p.labels = labels.baseAddress
                    p.label_count = labels.count
                    return dcmshim_seg_write(&p, path, &result, &error)
                }
            }
        }
        if status != 0 { throw SEGShim.convert(error, context: "writing \(path)") }
        let counts = withUnsafeBytes(of: result.voxel_counts) { Array($0.bindMemory(to: UInt64.self)) }
        return SEGWriteResult(
            path: path, frames: Int(result.frames),
            seriesInstanceUID: SEGShim.string(result.series_instance_uid),
            sopInstanceUID: SEGShim.string(result.sop_instance_uid),
            segments: segments.enumerated().map { i, s in
                SEGWriteResult.Segment(number: i + 1, label: s.label, name: s.name, voxelCount: Int(counts[Int(s.label)]))
            })
    }

    /// The refusals: never write an unreferenceable or misplaced SEG.
    static func validate(_ labelMap: LabelMap, source: SeriesStack, segments: [SegmentDescription]) throws(DICOMError) {
        var missing = source.emptyUIDs
        if source.studyInstanceUID.isEmpty { missing.append("StudyInstanceUID") }
        if source.seriesInstanceUID.isEmpty { missing.append("SeriesInstanceUID") }
        if source.sources.contains(where: { $0.sopInstanceUID.isEmpty }) { missing.append("SOPInstanceUID") }
        if source.sources.contains(where: { $0.sopClassUID.isEmpty }) { missing.append("SOPClassUID") }
        if !missing.isEmpty {
            let names = Array(Set(missing)).sorted().joined(separator: ", ")
            throw DICOMError(.segmentation, "the source series has empty \(names): a DICOM-SEG could not reference "
                             + "it, so none is written; fix the UIDs at the source (the anonymiser) and resend")
        }
        guard source.sources.count == source.geometry.size.z, !source.sources.isEmpty else {
            throw DICOMError(.segmentation, "the source stack has \(source.sources.count) planes for "
                             + "\(source.geometry.size.z) slices")
        }
        guard labelMap.geometry.isClose(to: source.geometry, tolerance: 1e-3) else {
            throw DICOMError(.segmentation, "the label map is not on the source grid (size \(labelMap.geometry.size) vs "
                             + "\(source.geometry.size)); resample it to the source geometry before writing a SEG")
        }
        guard !segments.isEmpty, segments.count <= 255 else {
            throw DICOMError(.segmentation, "a SEG needs 1 to 255 segment descriptions, got \(segments.count)")
        }
        var described = Set<UInt8>()
        for s in segments {
            guard s.label != 0, described.insert(s.label).inserted else {
                throw DICOMError(.segmentation, "segment labels must be unique and 1…255 (label \(s.label) of '\(s.name)')")
            }
        }
        let histogram = labelMap.histogram
        let undescribed = (1..<256).filter { histogram[$0] > 0 && !described.contains(UInt8($0)) }
        if !undescribed.isEmpty {
            throw DICOMError(.segmentation, "the label map has labels without a segment description: "
                             + "\(undescribed.map(String.init).joined(separator: ", ")); describe them in the manifest")
        }
    }
}
