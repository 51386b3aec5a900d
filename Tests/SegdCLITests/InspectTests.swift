import Foundation
import Testing

@Suite struct InspectTests {
    @Test func bundledSampleIsAcceptedWithItsGeometry() throws {
        let r = try CLI.segd(["inspect", "--json", CLI.repoRoot.appendingPathComponent("Samples/ct-head-philips").path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let series = try #require(json?["series"] as? [[String: Any]])
        #expect(series.count == 1)
        #expect(series.first?["status"] as? String == "accepted")
        let volume = try #require(series.first?["volume"] as? [String: Any])
        #expect(volume["size"] as? [Int] == [512, 512, 28])
        #expect(volume["min"] as? Double == -1024 && volume["max"] as? Double == 782)
    }

    @Test func rejectedSeriesStillExitZeroWithReasons() throws {
        let r = try CLI.segd(["inspect", CLI.shared.appendingPathComponent("dicom/ct_ge_tilt_variable_spacing").path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("rejected") && r.stdout.contains("gantry tilt") && r.stdout.contains("18.5 degrees"))
    }
}
