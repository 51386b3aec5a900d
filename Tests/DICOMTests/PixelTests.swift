@testable import DICOM
import Foundation
import Testing

/// Per-file decoding compared with the corpus's pydicom `pixel_sha256` of the stored values.
@Suite struct PixelTests {
    /// Stored values of every frame of a file (no rescale), frames concatenated.
    static func storedValues(_ path: String) throws -> [Float] {
        let file = try DICOMFile(path: path)
        let info = try file.pixelInfo()
        let perFrame = info.rows * info.columns
        var values = [Float](repeating: .nan, count: perFrame * info.frames)
        try values.withUnsafeMutableBufferPointer { buffer in
            for f in 0..<info.frames {
                try file.decodeFrame(f, slope: 1, intercept: 0,
                                     into: UnsafeMutableBufferPointer(rebasing: buffer[f * perFrame ..< (f + 1) * perFrame]))
            }
        }
        return values
    }

    /// (folder, file, sha256) for every 16-bit image file of the corpus that pydicom decoded.
    static var hashedFiles: [String] {
        TestData.corpusFolders.flatMap { folder -> [String] in
            guard let expected = try? TestData.expected(TestData.corpus + "/" + folder),
                  let series = expected["series"] as? [[String: Any]] else { return [] }
            return series.flatMap { s -> [String] in
                let header = s["header"] as? [String: Any] ?? [:]
                guard (header["BitsAllocated"] as? Int) == 16, (header["Modality"] as? String) != "SEG" else { return [] }
                let hashes = s["per_file_pixel_sha256"] as? [String: String] ?? [:]
                return hashes.filter { !$0.value.hasPrefix("DECODE ERROR") }.keys.sorted().map { "\(folder)/\($0)" }
            }
        }
    }

    @Test(arguments: hashedFiles)
    func decodedPixelsMatchPydicomHash(_ relative: String) throws {
        let path = TestData.corpus + "/" + relative
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let expected = try TestData.expected(folder)
        let series = try #require(expected["series"] as? [[String: Any]])
        let hashes = series.compactMap { ($0["per_file_pixel_sha256"] as? [String: String])?[name] }
        let hash = try #require(hashes.first)
        #expect(PixelHash.hex16(try Self.storedValues(path)) == hash)
    }

    @Test func nineTransferSyntaxesDecodeIdentically() throws {
        let folder = TestData.corpus + "/ts_mr_mosaic_9_syntaxes"
        let reference = try Self.storedValues(folder + "/1.dcm")
        var syntaxes: Set<String> = []
        for i in 1...9 {
            let path = folder + "/\(i).dcm"
            syntaxes.insert(try DICOMFile(path: path).pixelInfo().transferSyntax)
            #expect(try Self.storedValues(path) == reference, "\(i).dcm differs")
        }
        #expect(syntaxes.count == 7)
        #expect(reference.max() == 2362)
    }

    /// 12-bit data with garbage in the high bits: masked (unsigned) or sign-extended from bit 11 (signed).
    @Test(arguments: [("mr_12bit_signed", "12bitSigned_0x0F0F.dcm"), ("mr_12bit_unsigned", "12bitUnsigned.dcm")])
    func twelveBitPixels(_ folder: String, _ name: String) throws {
        let path = TestData.fixtures + "/" + folder
        let values = try Self.storedValues(path + "/" + name)
        let expected = try TestData.expected(path)
        let series = try #require((expected["series"] as? [[String: Any]])?.first)
        let sitk = try #require(series["simpleitk"] as? [String: Any])
        let stats = try #require(sitk["stats"] as? [String: Any])
        #expect(Double(values.min()!) == (stats["min"] as? NSNumber)?.doubleValue)
        #expect(Double(values.max()!) == (stats["max"] as? NSNumber)?.doubleValue)
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        #expect(abs(mean - ((stats["mean"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-5)
        if folder.hasSuffix("unsigned") {
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 4095 })
        } else {
            #expect(values.allSatisfy { $0 >= -2048 && $0 <= 2047 })
            #expect(values.contains(-241) && values.contains(-1))
        }
        let hash = try #require((series["per_file_pixel_sha256"] as? [String: String])?[name])
        #expect(PixelHash.hex16(values) == hash)
    }
}

/// MONOCHROME1 is inverted to MONOCHROME2 sense: checked on fixture copies whose PhotometricInterpretation value is
/// patched in place (same length), for signed 16-bit and unsigned 12-bit data.
@Test(arguments: [("seg_ref_highdicom_ct1/source/ct_image.dcm", true), ("mr_12bit_unsigned/12bitUnsigned.dcm", false)])
func monochrome1IsInverted(_ relative: String, _ signed: Bool) throws {
    let path = TestData.fixtures + "/" + relative
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let marker = Array("MONOCHROME2".utf8)
    let at = try #require((0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
    bytes[at + marker.count - 1] = UInt8(ascii: "1")
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("segd-mono1-\(UUID().uuidString).dcm")
    try Data(bytes).write(to: copy)
    defer { try? FileManager.default.removeItem(at: copy) }
    let original = try PixelTests.storedValues(path)
    let inverted = try PixelTests.storedValues(copy.path)
    let bitsStored = try DICOMFile(path: path).pixelInfo().bitsStored
    let expected = original.map { signed ? -1 - $0 : Float((1 << bitsStored) - 1) - $0 }
    #expect(inverted == expected)
}
