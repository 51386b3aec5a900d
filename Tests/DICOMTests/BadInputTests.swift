import DICOM
import Foundation
import Testing

@Suite struct BadInputTests {
    static func contents(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            result[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return result
    }

    @Test func junkFilesAreIgnoredWithReasonsAndLeftUntouched() throws {
        let folder = TestData.fixtures + "/not_dicom_mixed_junk"
        let before = try Self.contents(folder)
        let scan = try DICOMScanner.scan(directory: folder)
        #expect(scan.series.isEmpty)
        let reasons = Dictionary(uniqueKeysWithValues: scan.ignoredFiles.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        #expect(reasons["empty.dcm"]?.contains("empty file") == true)
        #expect(reasons["DIRFILE"]?.contains("DICOMDIR") == true)
        #expect(reasons["sr_document.dcm"]?.contains("no PixelData") == true)
        #expect(reasons["MR_truncated.dcm"]?.contains("premature end") == true)
        for name in ["photo.jpeg", "README.md", "dcm2niix_sidecar.json", "no_preamble_no_meta.dcm"] {
            #expect(reasons[name]?.contains("not a DICOM Part 10 file") == true, "\(name)")
        }
        #expect(try Self.contents(folder) == before, "scanning modified a file")
    }

    /// Truncations of a valid file at many lengths, and random bytes after a valid preamble: never a crash,
    /// never an accepted series, each file named with a reason.
    @Test func truncatedAndCorruptFilesNeverCrash() throws {
        let source = try Data(contentsOf: URL(fileURLWithPath: TestData.fixtures + "/seg_ref_highdicom_ct1/source/ct_image.dcm"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segd-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lengths = [1, 100, 131, 132, 140, 200, 300, 500, 800, 1200, source.count / 2, source.count - 100, source.count - 1]
        for length in lengths {
            try source.prefix(length).write(to: dir.appendingPathComponent("cut_\(length).dcm"))
        }
        var generator = SystemRandomNumberGenerator()
        for i in 0..<8 {
            var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
            bytes += (0..<(64 << i)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: dir.appendingPathComponent("garbage_\(i).dcm"))
        }
        let scan = try DICOMScanner.scan(directory: dir.path)
        #expect(scan.series.allSatisfy { $0.status != .accepted })
        let named = Set(scan.ignoredFiles.map(\.path)).union(scan.series.flatMap(\.files))
        #expect(named.count == lengths.count + 8)
        #expect(scan.ignoredFiles.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func identityOfOneFileIsCheap() throws {
        let identity = try InstanceIdentity.read(path: TestData.fixtures + "/lcenh_ct_23x38x3/mf.dcm")
        #expect(identity.seriesInstanceUID == "1.3.6.1.4.1.5962.99.1.3840.1409.1519964081918.1.3.3456.3456")
        #expect(identity.sopClassUID == "1.2.840.10008.5.1.4.1.1.2.2")
        #expect(identity.modality == "CT")
        #expect(throws: DICOMError.self) { try InstanceIdentity.read(path: TestData.fixtures + "/not_dicom_mixed_junk/photo.jpeg") }
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: DICOMError.self) { try DICOMScanner.scan(directory: "/nonexistent-segd-folder") }
    }
}

/// The small committed series, checked against their expected.json without needing ../shared.
@Suite struct FixtureTests {
    @Test(arguments: ["seg_ref_dcmqi_23x38x3/source", "lcenh_ct_23x38x3", "seg_ref_highdicom_ct1/source", "ct_ge_3slice_j2k"])
    func fixtureVolumeMatchesSimpleITK(_ folder: String) throws {
        let path = TestData.fixtures + "/" + folder
        let scan = try DICOMScanner.scan(directory: path)
        let report = try #require(scan.series.first)
        #expect(report.status == .accepted)
        let stack = try #require(report.stack)
        let series = try VolumeChecks.series(try TestData.expected(path), uid: stack.seriesInstanceUID)
        try VolumeChecks.check(stack, against: try #require(series["simpleitk"] as? [String: Any]))
        #expect(stack.attributes["Modality"] == "CT")
        #expect(stack.isReferenceable)
        #expect(!stack.studyInstanceUID.isEmpty && !stack.frameOfReferenceUID.isEmpty)
        if folder == "seg_ref_highdicom_ct1/source" {
            #expect(stack.isSingleSlice && report.reasons.contains { $0.contains("single slice") })
        }
        if folder == "lcenh_ct_23x38x3" { #expect(stack.sources.map(\.frameNumber) == [1, 2, 3]) }
    }

    @Test func inspectJSONHasTheDocumentedShape() throws {
        let scan = try DICOMScanner.scan(directory: TestData.fixtures + "/seg_ref_dcmqi_23x38x3")
        let json = InspectReport(scan: scan).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        #expect(Set(series.keys) == ["seriesInstanceUID", "modality", "seriesDescription", "files", "status", "reasons", "volume"])
        let volume = try #require(series["volume"] as? [String: Any])
        #expect(Set(volume.keys) == ["size", "spacing", "origin", "direction", "min", "max", "mean"])
        #expect((volume["size"] as? [Int]) == [23, 38, 3])
        #expect((volume["direction"] as? [Double])?.count == 9)
        #expect(object["ignoredFiles"] is [[String: String]])
        #expect(!InspectReport(scan: scan).table().isEmpty)
    }
}
