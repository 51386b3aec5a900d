import DICOM
import Foundation
import Imaging
import Testing

@Suite("DICOM-SEG reader on reference SEGs")
struct SEGReaderTests {
    struct Reference: Sendable, CustomStringConvertible {
        var seg: String, source: String, segments: Int, frames: Int
        var description: String { seg }
    }

    /// Third-party SEGs (dcmqi, highdicom) and the corpus's highdicom-generated SEG, with their sources.
    static let references = [
        Reference(seg: "seg_ref_dcmqi_23x38x3/seg/label.seg.dcm", source: "seg_ref_dcmqi_23x38x3/source", segments: 1, frames: 3),
        Reference(seg: "seg_ref_dcmqi_ct3/seg/liver.dcm", source: "seg_ref_dcmqi_ct3/source", segments: 1, frames: 3),
        Reference(seg: "seg_ref_dcmqi_ct3/seg/partial_overlaps.dcm", source: "seg_ref_dcmqi_ct3/source", segments: 5, frames: 7),
        Reference(seg: "seg_ref_highdicom_ct1/seg/seg_image_ct_binary_single_frame.dcm",
                  source: "seg_ref_highdicom_ct1/source", segments: 1, frames: 1),
        Reference(seg: "seg_generated_ct_philips_head_5mm/highdicom_threshold.dcm", source: "ct_philips_head_5mm",
                  segments: 2, frames: 56),
    ]

    @Test(arguments: references)
    func readsReference(_ ref: Reference) throws {
        let path = SEGTestData.corpus + "/" + ref.seg
        try #require(FileManager.default.fileExists(atPath: path), "shared corpus missing: \(path)")
        let reader = try SEGReader(path: path)
        #expect(reader.segments.count == ref.segments)
        #expect(reader.frames.count == ref.frames)
        #expect(reader.segments.allSatisfy { !$0.label.isEmpty && !$0.category.value.isEmpty && !$0.type.value.isEmpty })
        let stack = try #require(try SEGTestData.stacks(ref.source).first)
        let match = reader.match(stack)
        #expect(match.matches, "\(match.problems)")
        #expect(match.resolvedFrames == ref.frames)
        // Every frame unpacks, and no reference SEG is entirely empty.
        var total = 0
        for f in 0..<reader.frames.count {
            let pixels = try reader.pixels(frame: f)
            #expect(pixels.count == reader.info.rows * reader.info.columns)
            #expect(pixels.allSatisfy { $0 <= 1 } || reader.info.isFractional)
            total += pixels.reduce(0) { $0 + Int($1) }
        }
        #expect(total > 0)
    }

    /// A SEG checked against the wrong series reports the mismatch (what `segd seg check` prints).
    @Test func mismatchIsReported() throws {
        let reader = try SEGReader(path: SEGTestData.corpus + "/seg_ref_dcmqi_ct3/seg/liver.dcm")
        let match = reader.match(try #require(try SEGTestData.stacks("ct_philips_head_5mm").first))
        #expect(!match.matches)
        #expect(match.resolvedFrames == 0 && match.resolvedInstances == 0)
        #expect(match.problems.contains { $0.contains("reference no instance") })
    }

    @Test func refusesNonSEG() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_23x38x3/source").first)
        let error = #expect(throws: DICOMError.self) { try SEGReader(path: stack.sources[0].path) }
        #expect(error?.code == .segmentation)
        #expect(error?.message.contains("not a DICOM Segmentation") == true)
    }
}
