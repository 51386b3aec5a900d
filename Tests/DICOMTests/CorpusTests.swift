import DICOM
import Foundation
import Imaging
import Testing

/// The decision segd takes for each corpus folder (every folder with an expected.json must be listed).
enum CorpusDecision {
    /// One accepted stack per image series, equal to SimpleITK.
    case accept
    /// Accepted multi-frame object; SimpleITK's geometry is first-frame only, so positions come from the
    /// per-frame facts of expected.json.
    case acceptMultiframe
    /// Rejected, but the geometry is sound and the volume loads (equal to SimpleITK).
    case rejectWithVolume([String])
    /// Rejected with reasons naming these causes.
    case reject([String])
    /// Holds no input image: nothing accepted.
    case noInput
}

let corpusDecisions: [String: CorpusDecision] = [
    "ct_ge_3slice_deflate": .accept, "ct_ge_3slice_j2k": .accept, "ct_ge_3slice_rle": .accept,
    "ct_philips_head_5mm": .accept, "mr_siemens_t1_sag_hfs": .accept, "seg_ref_dcmqi_23x38x3/source": .accept,
    "seg_ref_dcmqi_ct3/source": .accept, "seg_ref_highdicom_ct1/source": .accept, "lcenh_ct_23x38x3": .accept,
    "enh_ct_supplemental": .acceptMultiframe,
    "ct_siemens_j2k_empty_uids": .rejectWithVolume(["SeriesInstanceUID", "SOPInstanceUID", "empty"]),
    "ct_ge_tilt_variable_spacing": .reject(["gantry tilt", "18.5 degrees", "non-uniform slice spacing", "6.999 mm"]),
    "ct_philips_head_5mm_missing_slice_jpegls": .reject(["non-uniform slice spacing", "largest gap 10.000 mm", "missing"]),
    "mr_ge_fmri_4d": .reject(["4-D", "50 images at only 10 distinct slice positions"]),
    "enh_mr_siemens_xa10_4vols": .reject(["4-D", "24 images at only 6 distinct slice positions"]),
    "mr_12bit_signed": .reject(["MOSAIC"]), "mr_12bit_unsigned": .reject(["MOSAIC"]),
    "ts_mr_mosaic_9_syntaxes": .reject(["MOSAIC"]),
    "mixed_philips_scout_plus_axial": .accept, // checked in detail in its own test too
    "mr_ge_localizer_3plane": .accept,           // split into 3 orientations: its own test
    "not_dicom_mixed_junk": .noInput,
    "ct_siemens_j2k_empty_uids_reference_mask": .noInput, "seg_generated_ct_philips_head_5mm": .noInput,
    "seg_generated_ct_philips_head_5mm/masks": .noInput, "seg_ref_dcmqi_23x38x3/seg": .noInput,
    "seg_ref_dcmqi_ct3/seg": .noInput, "seg_ref_dcmqi_ct3/seg_input_nrrd": .noInput, "seg_ref_highdicom_ct1/seg": .noInput,
]

@Suite struct CorpusTests {
    @Test(arguments: TestData.corpusFolders)
    func folderDecision(_ folder: String) throws {
        let path = TestData.corpus + "/" + folder
        #expect(FileManager.default.fileExists(atPath: path + "/expected.json"), "corpus missing at \(TestData.corpus)")
        let decision = try #require(corpusDecisions[folder], "no decision recorded for corpus folder \(folder)")
        let expected = try TestData.expected(path)
        let scan = try DICOMScanner.scan(directory: path)
        let everything = scan.series.flatMap(\.reasons).joined(separator: " | ")
        switch decision {
        case .accept where folder == "mr_ge_localizer_3plane":
            #expect(scan.series.count == 3)
            #expect(scan.series.allSatisfy { $0.reasons.contains { $0.contains("3 image orientations") } })
            #expect(scan.series.compactMap(\.stack).map(\.sliceCount) == [7, 7, 7])
        case .accept:
            let accepted = scan.series.filter { $0.status == .accepted }
            #expect(!accepted.isEmpty, "nothing accepted: \(everything)")
            for report in accepted {
                let stack = try #require(report.stack)
                let series = try VolumeChecks.series(expected, uid: report.seriesInstanceUID)
                try VolumeChecks.check(stack, against: try #require(series["simpleitk"] as? [String: Any]))
            }
            // Every other series is skipped/rejected with a reason.
            for report in scan.series where report.status != .accepted { #expect(!report.reasons.isEmpty) }
        case .acceptMultiframe:
            let report = try #require(scan.series.first)
            #expect(report.status == .accepted, "\(everything)")
            let stack = try #require(report.stack)
            let series = try VolumeChecks.series(expected, uid: report.seriesInstanceUID)
            try VolumeChecks.check(stack, against: try #require(series["simpleitk"] as? [String: Any]),
                                   geometryFromSimpleITK: false)
            let facts = try #require((series["multiframe"] as? [[String: Any]])?.first)
            let normal = stack.geometry.direction[column: 2]
            let along = stack.sources.map { $0.imagePositionPatient.dot(normal) }
            let expectedAlong = VolumeChecks.doubles(facts["positions_along_normal_mm"])
            #expect(along.count == expectedAlong.count)
            for (a, b) in zip(along, expectedAlong) { #expect(abs(a - b) <= 1e-3, "\(along) vs \(expectedAlong)") }
            #expect(stack.sources.map(\.frameNumber) == Array(1...along.count).map { Optional($0) }
                    || Set(stack.sources.compactMap(\.frameNumber)).count == along.count)
        case .rejectWithVolume(let causes):
            let report = try #require(scan.series.first)
            #expect(report.status == .rejected)
            for cause in causes { #expect(everything.contains(cause), "\(cause) not in: \(everything)") }
            let series = try #require((expected["series"] as? [[String: Any]])?.first)
            try VolumeChecks.check(try #require(report.stack), against: try #require(series["simpleitk"] as? [String: Any]))
        case .reject(let causes):
            #expect(scan.series.count >= 1)
            #expect(scan.series.allSatisfy { $0.status == .rejected && $0.stack == nil })
            for cause in causes { #expect(everything.contains(cause), "\(cause) not in: \(everything)") }
        case .noInput:
            #expect(scan.series.isEmpty, "unexpected series: \(everything)")
            #expect(scan.ignoredFiles.allSatisfy { !$0.reason.isEmpty })
        }
    }

    @Test func mixedFolderSplitsScoutAxialAndDirectory() throws {
        let path = TestData.corpus + "/mixed_philips_scout_plus_axial"
        let scan = try DICOMScanner.scan(directory: path)
        let axial = try #require(scan.series.first { $0.status == .accepted })
        #expect(axial.files.count == 28)
        #expect(axial.seriesDescription == "STD BRAIN 5MM")
        let scout = try #require(scan.series.first { $0.files.count == 1 })
        #expect(scout.status == .skipped)
        #expect(scout.reasons.contains { $0.contains("LOCALIZER") })
        let directory = try #require(scan.ignoredFiles.first { $0.path.hasSuffix("S1000_DIRFILE") })
        #expect(directory.reason.contains("DICOMDIR"))
    }
}
