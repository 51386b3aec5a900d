@testable import DICOM
import Foundation
import Testing

/// Grouping rules exercised on real headers combined in ways the corpus does not contain.
@Suite struct StackBuilderTests {
    static func headers(_ folder: String) throws -> [InstanceHeader] {
        let dir = TestData.fixtures + "/" + folder
        return try FileManager.default.contentsOfDirectory(atPath: dir).sorted().filter { $0.hasSuffix(".dcm") }
            .map { try InstanceHeader(file: DICOMFile(path: dir + "/" + $0)) }
    }

    @Test func mixedRowsColumnsAreSplitWithAReason() throws {
        let reports = StackBuilder.reports(for: try Self.headers("seg_ref_dcmqi_23x38x3/source") + Self.headers("ct_ge_3slice_j2k"))
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.status == .accepted })
        #expect(reports.allSatisfy { $0.reasons.contains { $0.contains("mixes 2 image sizes") } })
        #expect(Set(reports.compactMap { $0.stack?.geometry.size.x }) == [23, 512])
    }

    @Test func identicalDuplicatesAreRemoved() throws {
        let headers = try Self.headers("seg_ref_dcmqi_23x38x3/source")
        let reports = StackBuilder.reports(for: headers + headers)
        let report = try #require(reports.first)
        #expect(reports.count == 1 && report.status == .accepted)
        #expect(report.reasons.contains { $0.contains("3 duplicate slice(s)") })
        #expect(report.stack?.sliceCount == 3)
    }

    @Test func orderComesFromPositionsNotFileOrder() throws {
        let headers = try Self.headers("ct_ge_3slice_j2k")
        let forward = try #require(StackBuilder.reports(for: headers).first?.stack)
        let backward = try #require(StackBuilder.reports(for: headers.reversed()).first?.stack)
        #expect(forward.sources == backward.sources)
        let z = forward.sources.map(\.imagePositionPatient.z)
        #expect(z == z.sorted())
    }

    @Test func missingMiddleSliceIsRejectedNamingTheGap() throws {
        let headers = try Self.headers("ct_ge_3slice_j2k")
        let sorted = headers.sorted { ($0.frames[0].position?.z ?? 0) < ($1.frames[0].position?.z ?? 0) }
        // Four slices with the third missing: positions 0, 1, 3 → gaps 1 and 2.
        var extra = sorted[2]
        extra.sopInstanceUID += ".9"
        extra.frames[0].position!.z += 1
        let report = try #require(StackBuilder.reports(for: [sorted[0], sorted[1], extra]).first)
        #expect(report.status == .rejected)
        #expect(report.reasons.contains { $0.contains("largest gap 2.000 mm") && $0.contains("1 slice(s) missing") })
    }
}
