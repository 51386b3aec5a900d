import DICOM
import Foundation
import Imaging
import Testing
@testable import SegDaemon

/// Routing real series from the shared corpus, with rules read from configuration text.
@Suite struct CorpusRoutingTests {
    static let config = """
        [[rule]]
        name = "ct-head"
        models = ["ct-brain"]
        when = [
          { field = "Modality", equals = "CT" },
          { field = "SeriesDescription", regex = 'brain', ignoreCase = true },
          { field = "plane", equals = "axial" },
          { field = "slices", min = 20 },
        ]
        [[rule]]
        name = "mr-sagittal-t1"
        models = ["mr-t1", "mr-tissue"]
        when = [
          { field = "Modality", equals = "MR" },
          { field = "plane", in = ["sagittal"] },
          { field = "SeriesDescription", regex = '^t1_' },
          { field = "sliceSpacing", min = 1, max = 6 },
        ]
        [[rule]]
        name = "ct-volume"
        models = ["ct-generic"]
        when = [
          { field = "Modality", equals = "CT" },
          { field = "slices", min = 3 },
        ]
        """

    static func scan(_ folder: String) throws -> [SeriesStack] {
        let path = TestData.corpus + "/" + folder
        guard FileManager.default.fileExists(atPath: path) else { throw TestData.CorpusMissing(path: path) }
        return try DICOMScanner.scan(directory: path).acceptedStacks
    }

    @Test(arguments: [
        ("ct_philips_head_5mm", "ct-head"),
        ("mr_siemens_t1_sag_hfs", "mr-sagittal-t1"),
        ("ct_ge_3slice_rle", "ct-volume"),
        ("seg_ref_dcmqi_23x38x3/source", "ct-volume"),
        ("seg_ref_highdicom_ct1/source", "unrouted"),
    ])
    func corpusSeriesRoute(folder: String, expectedRule: String) throws {
        let router = try Router(rules: try SegdConfiguration.parse(Self.config).rules)
        let stacks = try Self.scan(folder)
        let stack = try #require(stacks.first, "no accepted stack in \(folder)")
        #expect(stacks.count == 1)
        let facts = SeriesFacts(stack: stack)

        // The derived fields agree with the corpus' independent header facts (pydicom) and SimpleITK volume.
        let expected = try TestData.expected(folder)
        let series = try #require((expected["series"] as? [[String: Any]])?.first { ($0["SeriesInstanceUID"] as? String) == stack.seriesInstanceUID })
        let header = try #require(series["header"] as? [String: Any])
        let sitk = try #require(series["simpleitk"] as? [String: Any])
        #expect(facts["Modality"] == header["Modality"] as? String)
        let size = try #require(sitk["size"] as? [Int])
        #expect(facts["slices"] == String(size[2]))
        if size[2] > 1, let spacing = (sitk["spacing"] as? [Double])?[2] {
            #expect(abs((Double(facts["sliceSpacing"] ?? "") ?? -1) - spacing) < 1e-3)
        }
        if let normal = header["slice_normal"] as? [Double], normal.count == 3 {
            let direction = Matrix3(columns: .init(1, 0, 0), .init(0, 1, 0), .init(normal[0], normal[1], normal[2]))
            #expect(facts["plane"] == Plane(direction: direction).rawValue)
        }

        let decision = router.route(facts)
        switch decision.outcome {
        case .routed(let rule, _): #expect(rule == expectedRule, "\(decision.lines)")
        case .unrouted: #expect(expectedRule == "unrouted", "\(decision.lines)")
        }
        if expectedRule == "unrouted" {
            #expect(decision.lines.last == "-> unrouted (no rule matched)")
            #expect(decision.rules.last?.failure?.reason == "slices is 1, below 3")
        }
    }

    @Test func theSagittalMRIsSagittalAndGoesToTwoModels() throws {
        let router = try Router(rules: try SegdConfiguration.parse(Self.config).rules)
        let stack = try #require(try Self.scan("mr_siemens_t1_sag_hfs").first)
        let facts = SeriesFacts(stack: stack)
        #expect(facts["plane"] == "sagittal" && facts["slices"] == "35" && facts["sliceSpacing"] == "4.8")
        #expect(router.route(facts).models == ["mr-t1", "mr-tissue"])
    }
}

/// Every accepted stack of the corpus: the derived routing fields agree with the corpus' independent facts.
@Suite struct CorpusFactsTests {
    static var folders: [String] {
        let root = TestData.corpus
        guard let e = FileManager.default.enumerator(atPath: root) else { return ["<corpus missing: \(root)>"] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            if rel.hasSuffix("/expected.json") || rel == "expected.json" { out.append(String(rel.dropLast("/expected.json".count))) }
        }
        return out.isEmpty ? ["<corpus missing: \(root)>"] : out.sorted()
    }

    @Test(arguments: folders)
    func derivedFieldsMatchTheCorpus(folder: String) throws {
        let stacks = try CorpusRoutingTests.scan(folder)
        let expected = try TestData.expected(folder)
        let all = expected["series"] as? [[String: Any]] ?? []
        var checked = 0
        defer {
            if (expected["expected_behavior"] as? String)?.hasPrefix("ACCEPT") == true {
                #expect(checked > 0, "\(folder) is to be accepted, yet no stack was checked")
            }
        }
        for stack in stacks {
            let facts = SeriesFacts(stack: stack)
            guard let series = all.first(where: { ($0["SeriesInstanceUID"] as? String) == stack.seriesInstanceUID }),
                  let header = series["header"] as? [String: Any] else { continue }
            checked += 1
            #expect(facts["Modality"] == header["Modality"] as? String, "\(folder)")
            #expect(facts["slices"] == String(stack.sources.count) && Int(facts["slices"] ?? "") == stack.geometry.size.z)
            if let normal = header["slice_normal"] as? [Double], normal.count == 3 {
                let n = Vector3(normal[0], normal[1], normal[2])
                let direction = Matrix3(columns: Vector3(1, 0, 0), Vector3(0, 1, 0), n)
                #expect(facts["plane"] == Plane(direction: direction).rawValue, "\(folder): normal \(normal)")
            }
        }
    }
}
