internal import CDCMTKShim
import Imaging

/// A DICOM Segmentation read back with DCMTK: segments, per-frame references and unpacked masks.
/// Not thread-safe: use one instance per task.
public final class SEGReader {
    public struct Segment: Sendable, Hashable {
        public var number: Int
        public var label: String
        public var algorithmType: String
        public var algorithmName: String
        public var category: CodedConcept
        public var type: CodedConcept
        public var anatomicRegion: CodedConcept?
        /// RecommendedDisplayCIELabValue (DICOM-scaled), if present.
        public var cieLab: [UInt16]?
    }

    public struct Frame: Sendable, Hashable {
        public var segmentNumber: Int
        public var position: Vector3?
        public var referencedSOPInstanceUID: String
        public var referencedSOPClassUID: String
        /// 1-based frame of a multi-frame source; nil for single-frame sources.
        public var referencedFrameNumber: Int?
    }

    public struct Info: Sendable {
        public var rows: Int, columns: Int, frameCount: Int
        public var isFractional: Bool
        /// Row then column direction cosines, if the SEG has a plane orientation.
        public var orientation: [Double]?
        /// PixelSpacing: (between rows, between columns).
        public var pixelSpacing: (Double, Double)
        public var sliceThickness: Double?
        public var spacingBetweenSlices: Double?
        public var sopInstanceUID: String, seriesInstanceUID: String, studyInstanceUID: String
        public var frameOfReferenceUID: String, transferSyntax: String, manufacturer: String
        public var seriesDescription: String
    }

    private let handle: OpaquePointer
    public let path: String
    public let info: Info
    public let segments: [Segment]
    public let frames: [Frame]
    /// (SOPInstanceUID, SOPClassUID) of every instance in the ReferencedSeriesSequence.
    public let referencedInstances: [(instance: String, sopClass: String)]

    public init(path: String) throws(DICOMError) {
        var error = dcmshim_error()
        guard let h = dcmshim_seg_open(path, &error) else { throw SEGShim.convert(error, context: "reading \(path)") }
        handle = h
        self.path = path
        do throws(DICOMError) {
            var i = dcmshim_seg_info()
            if dcmshim_seg_get_info(h, &i, &error) != 0 { throw SEGShim.convert(error, context: path) }
            info = Info(
                rows: Int(i.rows), columns: Int(i.columns), frameCount: Int(i.frames), isFractional: i.fractional != 0,
                orientation: i.has_orientation != 0 ? withUnsafeBytes(of: i.orientation) { Array($0.bindMemory(to: Double.self)) } : nil,
                pixelSpacing: (i.pixel_spacing.0, i.pixel_spacing.1),
                sliceThickness: i.slice_thickness > 0 ? i.slice_thickness : nil,
                spacingBetweenSlices: i.spacing_between_slices > 0 ? i.spacing_between_slices : nil,
                sopInstanceUID: SEGShim.string(i.sop_instance_uid), seriesInstanceUID: SEGShim.string(i.series_instance_uid),
                studyInstanceUID: SEGShim.string(i.study_instance_uid),
                frameOfReferenceUID: SEGShim.string(i.frame_of_reference_uid),
                transferSyntax: SEGShim.string(i.transfer_syntax), manufacturer: SEGShim.string(i.manufacturer),
                seriesDescription: SEGShim.string(i.series_description))
            segments = try (0..<i.segment_count).map { (k: UInt32) throws(DICOMError) -> Segment in
                var s = dcmshim_seg_segment_info()
                if dcmshim_seg_get_segment(h, k, &s, &error) != 0 { throw SEGShim.convert(error, context: path) }
                let region = Self.code(s.anatomic_region)
                return Segment(number: Int(s.number), label: SEGShim.string(s.label),
                               algorithmType: SEGShim.string(s.algorithm_type),
                               algorithmName: SEGShim.string(s.algorithm_name),
                               category: Self.code(s.category), type: Self.code(s.type),
                               anatomicRegion: region.value.isEmpty ? nil : region,
                               cieLab: s.has_cielab != 0 ? [s.cielab.0, s.cielab.1, s.cielab.2] : nil)
            }
            frames = try (0..<i.frames).map { (k: UInt32) throws(DICOMError) -> Frame in
                var f = dcmshim_seg_frame_info()
                if dcmshim_seg_get_frame(h, k, &f, &error) != 0 { throw SEGShim.convert(error, context: path) }
                return Frame(segmentNumber: Int(f.segment_number),
                             position: f.has_position != 0 ? Vector3(f.position.0, f.position.1, f.position.2) : nil,
                             referencedSOPInstanceUID: SEGShim.string(f.referenced_sop_instance_uid),
                             referencedSOPClassUID: SEGShim.string(f.referenced_sop_class_uid),
                             referencedFrameNumber: f.referenced_frame_number > 0 ? Int(f.referenced_frame_number) : nil)
            }
            var refs: [(instance: String, sopClass: String)] = []
            for k in 0..<i.referenced_instances {
                var uid = [CChar](repeating: 0, count: 65), cls = [CChar](repeating: 0, count: 65)
                if dcmshim_seg_get_referenced_instance(h, k, &uid, &cls, &error) != 0 {
                    throw SEGShim.convert(error, context: path)
                }
                refs.append((SEGShim.cString(uid), SEGShim.cString(cls)))
            }
            referencedInstances = refs
        } catch {
            dcmshim_seg_close(h)
            throw error
        }
    }

    deinit { dcmshim_seg_close(handle) }

    /// The mask of frame `index` (0-based), rows × columns, row by row: 0/1 (BINARY) or 0…255 (FRACTIONAL).
    public func pixels(frame index: Int) throws(DICOMError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: info.rows * info.columns)
        var error = dcmshim_error()
        let status = out.withUnsafeMutableBufferPointer { buffer in
            dcmshim_seg_get_frame_pixels(handle, UInt32(index), buffer.baseAddress, buffer.count, &error)
        }
        if status != 0 { throw SEGShim.convert(error, context: path) }
        return out
    }

    private static func code(_ c: dcmshim_seg_code_out) -> CodedConcept {
        CodedConcept(scheme: SEGShim.string(c.scheme), value: SEGShim.string(c.value), meaning: SEGShim.string(c.meaning))
    }
}

extension SEGShim {
    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingSpaces
    }
}
