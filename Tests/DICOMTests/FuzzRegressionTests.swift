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
}
