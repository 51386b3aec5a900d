@testable import DICOM
import Foundation
import Testing

/// Header reads are bounded: a file that starts like DICOM and then holds junk is rejected with a specific
/// error after a bounded number of bytes read, never parsed to its end.
@Suite struct HeaderBoundTests {
    static let slice = TestData.fixtures + "/seg_ref_dcmqi_23x38x3/source/IMG0001.dcm"

    /// The preamble, "DICM" and the file meta group of a real file (implicit VR little endian data set).
    static func metaPrefix() throws -> Data {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: slice)))
        let groupLength = Int(bytes[140]) | Int(bytes[141]) << 8 | Int(bytes[142]) << 16 | Int(bytes[143]) << 24
        return Data(bytes[0..<(144 + groupLength)])
    }

    /// One implicit VR little endian element.
    static func element(_ group: UInt16, _ element: UInt16, _ value: [UInt8]) -> Data {
        var out = Data()
        for v in [group, element] { out.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
        let n = UInt32(value.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)])
        out.append(contentsOf: value)
        return out
    }

    /// Bytes this thread has read with read(2) and friends so far (Linux per-thread I/O accounting).
    static func threadBytesRead() throws -> Int {
        let io = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("rchar:") })
        return try #require(Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)))
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("segd-\(getpid())-\(UUID().uuidString)-\(name)").path
    }

    /// Opens `path` on this thread and returns the error and the bytes this thread read meanwhile.
    static func openFailure(_ path: String, headerLimit: Int? = nil) throws -> (DICOMError, Int) {
        let before = try threadBytesRead()
        do throws(DICOMError) {
            _ = try DICOMFile(path: path, headerLimit: headerLimit)
        } catch {
            return (error, try threadBytesRead() - before)
        }
        Issue.record("\(path) opened without error")
        return (DICOMError(.unreadable, ""), try threadBytesRead() - before)
    }

    @Test func aSparseTwoGigabyteFileOfZerosAfterTheMetaGroupIsRejectedAfterABoundedRead() throws {
        let path = Self.temporaryFile("zeros.dcm")
        defer { unlink(path) }
        try Self.metaPrefix().write(to: URL(fileURLWithPath: path))
        #expect(truncate(path, 2 << 30) == 0, "the sparse file (costs no disk)")
        // Through the public header read the scanner and the daemon's ingest use.
        let before = try Self.threadBytesRead()
        #expect(throws: DICOMError.self) { try InstanceIdentity.read(path: path) }
        let (error, read) = try Self.openFailure(path)
        #expect(error.code == .unreadable)
        #expect(error.message.contains("of zero bytes from offset \(try Self.metaPrefix().count)"), "\(error.message)")
        #expect(error.message.contains("re-export"), "says what to do: \(error.message)")
        // 1 MiB of zeros is the trip point; stdio reads ahead a little.
        #expect(read < 4 << 20, "read \(read) bytes of a 2 GiB file")
        #expect(try Self.threadBytesRead() - before < 8 << 20)
    }

    /// The SEG reader (`segd seg check`) reads through the same bounded stream.
    @Test func theSEGReaderRejectsTheSameFileAfterABoundedRead() throws {
        let path = Self.temporaryFile("zeros-seg.dcm")
        defer { unlink(path) }
        try Self.metaPrefix().write(to: URL(fileURLWithPath: path))
        #expect(truncate(path, 2 << 30) == 0)
        let before = try Self.threadBytesRead()
        let error = #expect(throws: DICOMError.self) { try SEGReader(path: path) }
        #expect(error?.message.contains("of zero bytes from offset") == true, "\(error?.message ?? "")")
        #expect(try Self.threadBytesRead() - before < 4 << 20)
    }

    /// Zeros after a complete image (padding) end the read there; the image is read as before.
    @Test func zerosAfterTheImageAreIgnoredAfterABoundedRead() throws {
        let path = Self.temporaryFile("padded.dcm")
        defer { unlink(path) }
        let source = TestData.fixtures + "/mr_12bit_signed/12bitSigned_0x0F0F.dcm"
        try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: path))
        #expect(truncate(path, 2 << 30) == 0)
        let before = try Self.threadBytesRead()
        let file = try DICOMFile(path: path)
        let info = try file.pixelInfo()
        var pixels = [Float](repeating: 0, count: info.rows * info.columns)
        try pixels.withUnsafeMutableBufferPointer { try file.decodeFrame(0, slope: 1, intercept: 0, into: $0) }
        let read = try Self.threadBytesRead() - before
        let original = try DICOMFile(path: source)
        var expected = [Float](repeating: 0, count: info.rows * info.columns)
        try expected.withUnsafeMutableBufferPointer { try original.decodeFrame(0, slope: 1, intercept: 0, into: $0) }
        #expect(pixels == expected && pixels.contains { $0 != 0 })
        #expect(read < 4 << 20, "read \(read) bytes of a 2 GiB file")
    }

    @Test func aHeaderThatDoesNotEndWithinTheLimitIsRejected() throws {
        let path = Self.temporaryFile("endless.dcm")
        defer { unlink(path) }
        // Valid, non-zero elements without end: 4 MiB of a private element repeated, no PixelData.
        var data = try Self.metaPrefix()
        data.append(Self.element(0x0008, 0x0005, Array("ISO_IR 100".utf8)))
        let one = Self.element(0x0009, 0x1011, Array("AB".utf8))
        for _ in 0..<((4 << 20) / one.count) { data.append(one) }
        try data.write(to: URL(fileURLWithPath: path))
        let (error, read) = try Self.openFailure(path, headerLimit: 1 << 20)
        #expect(error.code == .unreadable)
        #expect(error.message.contains("does not end within 1.0 MiB read"), "\(error.message)")
        #expect(read < 2 << 20, "read \(read) bytes of a 4 MiB file with a 1 MiB limit")
    }

    @Test func anElementLengthRunningPastTheEndOfTheFileIsASpecificError() throws {
        let path = Self.temporaryFile("past-eof.dcm")
        defer { unlink(path) }
        var data = try Self.metaPrefix()
        data.append(Self.element(0x0008, 0x0005, Array("ISO_IR 100".utf8)))
        data.append(Self.element(0x0009, 0x1011, Array(repeating: 0x41, count: 100)).prefix(8))
        data[data.count - 1] = 0x10  // length 0x10000064 (256 MiB) with 100 bytes left
        data.append(Data(repeating: 0x41, count: 100))
        try data.write(to: URL(fileURLWithPath: path))
        let (error, _) = try Self.openFailure(path)
        #expect(error.code == .unreadable)
        #expect(error.message.contains("length runs past its end"), "\(error.message)")
    }

    /// Large values are skipped, not read: a real 348 KiB file (mostly pixel data) opens, and decodes, with a
    /// header limit of 16 KiB.
    @Test func largeValuesDoNotCountAgainstTheLimit() throws {
        let path = TestData.fixtures + "/mr_12bit_signed/12bitSigned_0x0F0F.dcm"
        let file = try DICOMFile(path: path, headerLimit: 16 << 10)
        let info = try file.pixelInfo()
        var pixels = [Float](repeating: 0, count: info.rows * info.columns)
        try pixels.withUnsafeMutableBufferPointer { try file.decodeFrame(0, slope: 1, intercept: 0, into: $0) }
        #expect(pixels.contains { $0 != 0 })
        // With a limit below the header itself it is refused with the limit in the message.
        let (error, _) = try Self.openFailure(path, headerLimit: 512)
        #expect(error.message.contains("does not end within 512 bytes read"), "\(error.message)")
    }

    @Test func theProcessWideLimitDefaultsTo64MiB() {
        #expect(DICOMScanner.headerLimit == 64 << 20)
    }
}
