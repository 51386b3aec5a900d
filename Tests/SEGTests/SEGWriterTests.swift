import DICOM
import Foundation
import Imaging
import Testing

@Suite("DICOM-SEG writer")
struct SEGWriterTests {
    /// Every accepted corpus series: write, validate independently with check-seg, and round-trip every voxel.
    @Test(arguments: SEGTestData.acceptedFolders)
    func validatesAndRoundTrips(folder: String) throws {
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (n, stack) in try SEGTestData.stacks(folder).enumerated() {
            let map = syntheticLabelMap(on: stack.geometry)
            let path = dir.appendingPathComponent("seg\(n).dcm").path
            let result = try SEGWriter.write(map, source: stack, segments: syntheticSegments, options: syntheticOptions,
                                             to: path)
            #expect(result.emptySegments.map(\.name) == ["Empty"])
            #expect(result.segments.map(\.voxelCount) == [1, 2, 3, 5].map { l in map.labels.filter { $0 == l }.count })
            #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
            if let keep = ProcessInfo.processInfo.environment["SEGD_SEG_TEST_KEEP"] {  // for manual inspection
                try? FileManager.default.copyItem(atPath: path, toPath: keep + "/" + folder.replacingOccurrences(of: "/", with: "_")
                                                  + "_\(n).dcm")
            }
            let frames = try expectRoundTrip(path, map: map, stack: stack, segments: syntheticSegments)
            #expect(frames == result.frames)
            let sourceDir = try SEGTestData.sourceFolder(for: stack, in: dir.appendingPathComponent("src\(n)"))
            let verdict = try SEGTestData.checkSEG(path, source: sourceDir, expectSegments: syntheticSegments.count)
            expectSEGOK(verdict, multiFrameSource: stack.sources.contains { $0.frameNumber != nil },
                        "check-seg on \(folder) stack \(n)")
        }
    }

    @Test func keepsEmptyFramesWhenAsked() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_23x38x3/source").first)
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let map = syntheticLabelMap(on: stack.geometry)
        var options = syntheticOptions
        options.keepEmptyFrames = true
        let path = dir.appendingPathComponent("keep.dcm").path
        let result = try SEGWriter.write(map, source: stack, segments: syntheticSegments, options: options, to: path)
        #expect(result.frames == syntheticSegments.count * stack.geometry.size.z)
        try expectRoundTrip(path, map: map, stack: stack, segments: syntheticSegments, keepEmptyFrames: true)
        let sourceDir = try SEGTestData.sourceFolder(for: stack, in: dir.appendingPathComponent("src"))
        let verdict = try SEGTestData.checkSEG(path, source: sourceDir, expectSegments: syntheticSegments.count)
        expectSEGOK(verdict, multiFrameSource: false, "check-seg keepEmptyFrames")
    }

    /// Every segment empty: all are still described, and one empty frame keeps the SEG valid.
    @Test func allSegmentsEmpty() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_ct3/source").first)
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.dcm").path
        let result = try SEGWriter.write(LabelMap(geometry: stack.geometry), source: stack, segments: syntheticSegments,
                                         options: syntheticOptions, to: path)
        #expect(result.frames == 1)
        #expect(result.emptySegments.count == syntheticSegments.count)
        let reader = try SEGReader(path: path)
        #expect(reader.segments.count == syntheticSegments.count)
        #expect(try reader.pixels(frame: 0).allSatisfy { $0 == 0 })
        let sourceDir = try SEGTestData.sourceFolder(for: stack, in: dir.appendingPathComponent("src"))
        expectSEGOK(try SEGTestData.checkSEG(path, source: sourceDir, expectSegments: syntheticSegments.count),
                    multiFrameSource: false, "check-seg all-empty")
    }

    /// A non-ASCII segment label makes the whole SEG UTF-8 (source strings converted), and it stays valid.
    @Test func utf8Labels() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_highdicom_ct1/source").first)
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var segments = syntheticSegments
        segments[0].name = "Leber (Lébér) µ"
        let path = dir.appendingPathComponent("utf8.dcm").path
        _ = try SEGWriter.write(syntheticLabelMap(on: stack.geometry), source: stack, segments: segments,
                                options: syntheticOptions, to: path)
        #expect(try SEGReader(path: path).segments[0].label == "Leber (Lébér) µ")
        let sourceDir = try SEGTestData.sourceFolder(for: stack, in: dir.appendingPathComponent("src"))
        expectSEGOK(try SEGTestData.checkSEG(path, source: sourceDir, expectSegments: segments.count),
                    multiFrameSource: false, "check-seg UTF-8")
    }

    @Test func segmentDescriptionsSurvive() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_23x38x3/source").first)
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.dcm").path
        _ = try SEGWriter.write(syntheticLabelMap(on: stack.geometry), source: stack, segments: syntheticSegments,
                                options: syntheticOptions, to: path)
        let reader = try SEGReader(path: path)
        #expect(reader.info.manufacturer == "segd")
        #expect(reader.info.seriesDescription == "segd: synthetic 1.0")
        for (s, d) in zip(reader.segments, syntheticSegments) {
            #expect(s.category == d.category && s.type == d.type && s.anatomicRegion == d.anatomicRegion)
            #expect(s.algorithmType == "AUTOMATIC" && s.algorithmName == "synthetic")
            let lab = d.color.dicomCIELab
            #expect(s.cieLab == [lab.l, lab.a, lab.b])
        }
    }

    @Test func refusesSeriesWithEmptyUIDs() throws {
        let folder = SEGTestData.corpus + "/ct_siemens_j2k_empty_uids"
        try #require(FileManager.default.fileExists(atPath: folder), "shared corpus missing: \(folder)")
        let report = try #require(try DICOMScanner.scan(directory: folder).series.first { $0.stack != nil })
        let stack = try #require(report.stack)
        let dir = try SEGTestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("never.dcm").path
        let error = #expect(throws: DICOMError.self) {
            try SEGWriter.write(syntheticLabelMap(on: stack.geometry), source: stack, segments: syntheticSegments,
                                options: syntheticOptions, to: path)
        }
        #expect(error?.code == .segmentation)
        #expect(error?.message.contains("SOPInstanceUID") == true)
        #expect(error?.message.contains("SeriesInstanceUID") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func refusesLabelMapOffTheSourceGrid() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_23x38x3/source").first)
        var geometry = stack.geometry
        geometry.origin.x += 0.5
        let error = #expect(throws: DICOMError.self) {
            try SEGWriter.write(LabelMap(geometry: geometry), source: stack, segments: syntheticSegments,
                                options: syntheticOptions, to: "/tmp/segd-never-written.dcm")
        }
        #expect(error?.message.contains("source grid") == true)
    }

    @Test func refusesUndescribedLabels() throws {
        let stack = try #require(try SEGTestData.stacks("seg_ref_dcmqi_23x38x3/source").first)
        var map = syntheticLabelMap(on: stack.geometry)
        map.labels[0] = 9
        let error = #expect(throws: DICOMError.self) {
            try SEGWriter.write(map, source: stack, segments: syntheticSegments, options: syntheticOptions,
                                to: "/tmp/segd-never-written.dcm")
        }
        #expect(error?.message.contains("9") == true)
    }
}
