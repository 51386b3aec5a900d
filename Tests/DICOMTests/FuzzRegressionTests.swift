import DICOM
import Foundation
import Testing

/// Inputs found by the fuzz harnesses (Tests/Fuzz, provenance in Tests/Fixtures/fuzz/PROVENANCE.md): each must be
/// ignored with a reason, not crash or exhaust memory.
@Suite struct FuzzRegressionTests {
    static let folder = TestData.repoRoot.appendingPathComponent("Tests/Fixtures/fuzz").path

    static func reason(_ name: String) throws -> String? {
        let scan = try DICOMScanner.scan(files: [folder + "/" + name])
        #expect(scan.series.isEmpty, "\(name) was grouped into a series")
        return scan.ignoredFiles.first?.reason
    }

    /// Rows x Columns x NumberOfFrames x 4 bytes overflowed Int (a trap) while checking the pixel data length.
    @Test func hugeFrameCountOfNativePixelDataIsRefused() throws {
        let reason = try Self.reason("frames_size_overflow.dcm")
        #expect(reason?.contains("pixel data is shorter than Rows x Columns x frames") == true, "\(reason ?? "nil")")
    }

    /// NumberOfFrames 2^31-1 on RLE data with 3 fragments: the frame table was sized by it (200 GB).
    @Test func frameCountAboveTheFragmentCountIsRefused() throws {
        let reason = try Self.reason("frames_exceed_fragments_rle.dcm")
        #expect(reason?.contains("NumberOfFrames is 2147483647 but the compressed pixel data has only 3 fragments") == true,
                "\(reason ?? "nil")")
    }

    /// DCMTK throws std::out_of_range while parsing a bad directory record: a read error with a reason (the shim
    /// used to leak the open handle on this path; the fuzz seed copy checks that under LeakSanitizer).
    @Test func anExceptionInsideDCMTKIsAReadErrorWithAReason() throws {
        let reason = try Self.reason("dicomdir_record_exception.dcm")
        #expect(reason?.contains("DCMTK failed while parsing the file") == true, "\(reason ?? "nil")")
        #expect(reason?.contains("re-export") == true)
    }

    /// The unmodified multi-frame RLE file (same pixel data, true frame count) still loads: the fragment check
    /// does not refuse valid files.
    @Test func validMultiFrameRLEStillLoads() throws {
        let scan = try DICOMScanner.scan(files: [TestData.repoRoot.appendingPathComponent("Tests/Fuzz/corpus/image/mf_rle.dcm").path])
        let stack = try #require(scan.acceptedStacks.first)
        #expect(stack.sliceCount == 3)
        #expect(try stack.loadVolume().voxels.count == 23 * 38 * 3)
    }

    /// DCMTK 3.6.7's RLE decoder crashed (SIGSEGV) on this file's segment offset 0xEA000040 (Tests/Fuzz/dcmtk-crashes);
    /// segd decodes RLE itself and refuses it with the reason. A crash here would take the test process down.
    @Test func theRLEFileThatCrashedDCMTKIsADecodeErrorWithTheReason() throws {
        let path = TestData.repoRoot.appendingPathComponent("Tests/Fixtures/fuzz/rle_segment_offset_segv_ct.dcm").path
        let stack = try #require(try DICOMScanner.scan(files: [path]).acceptedStacks.first, "a one-slice CT series")
        let error = #expect(throws: DICOMError.self) { try stack.loadVolume() }
        #expect(error?.message.contains("RLE segment 1 has an impossible offset 3925868608 in a fragment of 216 bytes") == true,
                "\(error?.message ?? "nil")")
    }

    /// The first frame of the valid multi-frame RLE file with one field of its RLE header broken at a time.
    @Test(arguments: [
        (8, [3, 0, 0, 0], "the RLE header declares 3 segments"),
        (16, [0, 0, 0xFF, 0xFF], "RLE segment 2 has an impossible offset"),
        (16, [212, 0, 0, 0], "RLE segment 2: "),
        (12, [0, 0, 0, 0], "RLE segment 1 has an impossible offset 0"),
    ] as [(Int, [UInt8], String)])
    func brokenRLEHeadersAreDecodeErrorsWithTheReason(at offset: Int, bytes: [UInt8], reason: String) throws {
        var data = try Data(contentsOf: TestData.repoRoot.appendingPathComponent("Tests/Fuzz/corpus/image/mf_rle.dcm"))
        // The item tag, its length (216) and the RLE header of frame 1: 2 segments (at 8), at 64 (12) and 140 (16).
        let header: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xD8, 0, 0, 0, 2, 0, 0, 0, 0x40, 0, 0, 0]
        let start = try #require(data.firstRange(of: Data(header))?.lowerBound)
        data.replaceSubrange((start + offset)..<(start + offset + 4), with: bytes)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-rle-\(UUID().uuidString.prefix(8)).dcm")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let stack = try #require(try DICOMScanner.scan(files: [url.path]).acceptedStacks.first)
        let error = #expect(throws: DICOMError.self) { try stack.loadVolume() }
        #expect(error?.message.contains("RLE frame 0: \(reason)") == true, "\(error?.message ?? "nil")")
    }

    /// A deflated dataset whose first element declares a 2.4 GB value: DCMTK asks for that much memory (never
    /// touched) before it finds the stream short. The file is ignored with a reason. (That the memory is not
    /// touched is checked by the fuzz run, which replays it as a seed under a 2 GiB RSS limit; `segd inspect`
    /// peaks at 37 MiB on it.)
    @Test func aDeflatedElementOfAHugeDeclaredLengthIsIgnoredWithAReason() throws {
        let path = TestData.repoRoot.appendingPathComponent("Tests/Fuzz/corpus/image/deflate_huge_element_length.dcm").path
        let scan = try DICOMScanner.scan(files: [path])
        #expect(scan.series.isEmpty)
        let reason = try #require(scan.ignoredFiles.first?.reason)
        #expect(reason.contains("DCMTK cannot read the file"), "\(reason)")
    }
}
