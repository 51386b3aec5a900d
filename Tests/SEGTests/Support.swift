import DICOM
import Foundation
import Imaging
import Testing

/// Shared corpus and validator locations (`<repo>/../shared`, or $SEGD_SHARED). Tests fail when it is missing.
enum SEGTestData {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var shared: String {
        ProcessInfo.processInfo.environment["SEGD_SHARED"]
            ?? repoRoot.appendingPathComponent("../shared").standardizedFileURL.path
    }
    static var corpus: String { shared + "/dicom" }
    static var checkSeg: String { shared + "/tools/check-seg" }

    /// Every corpus folder with series segd accepts (single- and multi-frame, all transfer syntaxes).
    static let acceptedFolders = [
        "ct_ge_3slice_deflate", "ct_ge_3slice_j2k", "ct_ge_3slice_rle", "ct_philips_head_5mm",
        "mr_siemens_t1_sag_hfs", "seg_ref_dcmqi_23x38x3/source", "seg_ref_dcmqi_ct3/source",
        "seg_ref_highdicom_ct1/source", "lcenh_ct_23x38x3", "enh_ct_supplemental",
        "mixed_philips_scout_plus_axial", "mr_ge_localizer_3plane",
    ]

    /// The accepted stacks of a corpus folder; fails when the corpus is absent.
    static func stacks(_ folder: String) throws -> [SeriesStack] {
        let path = corpus + "/" + folder
        try #require(FileManager.default.fileExists(atPath: path), "shared corpus missing: \(path)")
        let stacks = try DICOMScanner.scan(directory: path).acceptedStacks
        try #require(!stacks.isEmpty, "no accepted stack in \(folder)")
        return stacks
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-seg-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A folder holding (symbolic links to) exactly the files of `stack`: check-seg compares a SEG with the
    /// first source instance it finds, so a series split into several stacks (3-plane localizer) needs its own.
    static func sourceFolder(for stack: SeriesStack, in folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (i, path) in Set(stack.sources.map(\.path)).sorted().enumerated() {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("\(i).dcm").path,
                                                       withDestinationPath: path)
        }
        return folder.path
    }

    /// Runs ../shared/tools/check-seg; returns its one-line verdict.
    static func checkSEG(_ seg: String, source: String, expectSegments: Int) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: checkSeg), "check-seg missing: \(checkSeg)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: checkSeg)
        process.arguments = [seg, source, "--expect-segments", String(expectSegments)]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A synthetic label map on `geometry`: label 1 touches x=0 in every slice, label 2 touches the far x/y edges
/// and the last slice, label 3 is EMPTY, label 5 is a disc in every other slice (so empty frames are omitted).
func syntheticLabelMap(on geometry: Geometry) -> LabelMap {
    var map = LabelMap(geometry: geometry)
    let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
    let r = Double(min(nx, ny)) / 5
    for k in 0..<nz {
        for j in 0..<ny {
            for i in 0..<nx {
                var label: UInt8 = 0
                if i < max(1, nx / 4) && j < max(1, ny / 2) { label = 1 }
                if i >= nx - max(1, nx / 5) && j >= ny / 2 && k >= nz / 2 { label = 2 }
                let di = Double(i) - Double(nx) / 2, dj = Double(j) - Double(ny) / 2
                if k % 2 == 0 && di * di + dj * dj < r * r { label = 5 }
                map[i, j, k] = label
            }
        }
    }
    return map
}

let syntheticSegments: [SegmentDescription] = [
    SegmentDescription(label: 1, name: "Left block", category: .tissue,
                       type: CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue"), color: RGB(255, 0, 0)),
    SegmentDescription(label: 2, name: "Corner block", category: .anatomicalStructure,
                       type: CodedConcept(scheme: "SCT", value: "78961009", meaning: "Spleen"),
                       anatomicRegion: CodedConcept(scheme: "SCT", value: "818981001", meaning: "Abdomen"),
                       color: RGB(0, 255, 0)),
    SegmentDescription(label: 3, name: "Empty", category: .tissue,
                       type: CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue"), color: RGB(0, 0, 255)),
    SegmentDescription(label: 5, name: "Disc", category: .anatomicalStructure,
                       type: CodedConcept(scheme: "SCT", value: "10200004", meaning: "Liver"), color: RGB(128, 174, 128)),
]

let syntheticOptions = SEGWriteOptions(algorithmName: "synthetic", algorithmVersion: "1.0", softwareVersion: "segd-test")

/// Reads `seg` back and compares every voxel of every segment with `map`, and every frame's references with
/// `stack`. Returns the number of frames checked.
@discardableResult
func expectRoundTrip(_ seg: String, map: LabelMap, stack: SeriesStack, segments: [SegmentDescription],
                     keepEmptyFrames: Bool = false) throws -> Int {
    let reader = try SEGReader(path: seg)
    let g = stack.geometry
    #expect(reader.info.rows == g.size.y && reader.info.columns == g.size.x)
    #expect(reader.info.frameOfReferenceUID == stack.frameOfReferenceUID)
    #expect(reader.info.studyInstanceUID == stack.studyInstanceUID)
    #expect(reader.info.seriesInstanceUID != stack.seriesInstanceUID)
    #expect(reader.info.transferSyntax == "1.2.840.10008.1.2.1")
    #expect(reader.segments.map(\.number) == Array(1...segments.count))
    #expect(reader.segments.map(\.label) == segments.map(\.name))
    let match = reader.match(stack)
    #expect(match.matches, "\(match.problems)")
    let referenced = Set(reader.referencedInstances.map(\.instance))
    #expect(referenced == Set(stack.sources.map(\.sopInstanceUID)))

    var sliceOf: [String: Int] = [:]
    for (k, s) in stack.sources.enumerated() { sliceOf["\(s.sopInstanceUID)#\(s.frameNumber ?? 0)"] = k }
    let n = g.sliceVoxelCount
    var seen = Set<[Int]>()
    for (f, frame) in reader.frames.enumerated() {
        let key = "\(frame.referencedSOPInstanceUID)#\(frame.referencedFrameNumber ?? 0)"
        let k = try #require(sliceOf[key], "frame \(f) references an unknown source \(key)")
        let source = stack.sources[k]
        let position = try #require(frame.position)
        #expect((position - source.imagePositionPatient).length < 1e-3, "frame \(f) position")
        let label = segments[frame.segmentNumber - 1].label
        let pixels = try reader.pixels(frame: f)
        let expected = map.labels[(k * n)..<((k + 1) * n)].map { $0 == label ? UInt8(1) : 0 }
        #expect(pixels == expected, "frame \(f) (segment \(frame.segmentNumber), slice \(k)) differs")
        seen.insert([frame.segmentNumber, k])
    }
    // Every non-empty (segment, slice) has a frame; empty ones only with keepEmptyFrames.
    for (s, description) in segments.enumerated() {
        for k in 0..<g.size.z {
            let present = map.labels[(k * n)..<((k + 1) * n)].contains(description.label)
            if present || keepEmptyFrames { #expect(seen.contains([s + 1, k]), "missing frame segment \(s + 1) slice \(k)") }
            else { #expect(!seen.contains([s + 1, k]), "empty frame kept: segment \(s + 1) slice \(k)") }
        }
    }
    return reader.frames.count
}

/// check-seg 's verdict must be "SEG OK". One validator defect is tolerated as a known issue: its reference check
/// iterates ReferencedFrameNumber, which pydicom returns as a single IS for the (standard) one-value form, so it
/// crashes on every SEG of a multi-frame source. Only that exact sole reason is tolerated, and only for
/// multi-frame sources; the references and positions of such SEGs are verified by `expectRoundTrip` instead.
func expectSEGOK(_ verdict: String, multiFrameSource: Bool, _ context: String) {
    let line = verdict.split(separator: "\n").first.map(String.init) ?? ""
    if line.hasPrefix("SEG OK") { return }
    let knownCrash = "SEG FAIL: reference/geometry check crashed: TypeError: 'IS' object is not iterable"
    if multiFrameSource && line == knownCrash {
        withKnownIssue("check-seg crashes on a single-valued ReferencedFrameNumber (validator defect)") {
            Issue.record("\(context): \(line)")
        }
        return
    }
    Issue.record("\(context): \(verdict)")
}
