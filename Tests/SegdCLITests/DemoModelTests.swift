import Foundation
import TestSupport
import Testing

/// The bundled demo model (Models/demo-ct) on the bundled sample (Samples/ct-head-philips), end to end through the
/// built `segd`: the voxels per label agree with the MONAI reference inference of the same model
/// (Tests/Fixtures/demo-ct/reference.json, made by Models/demo-ct/train/evaluate.py), the SEG passes the
/// independent validator, and `segd seg preview` draws it.
@Suite struct DemoModelTests {
    static let bundle = CLI.repoRoot.appendingPathComponent("Models/demo-ct")
    static let sample = CLI.repoRoot.appendingPathComponent("Samples/ct-head-philips")

    struct Reference: Decodable {
        var weights_sha256: String
        var size_xyz: [Int]
        var voxels: [String: Int]
    }

    static func reference() throws -> Reference {
        let url = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/demo-ct/reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test func referenceIsForTheBundledWeights() throws {
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.bundle.appendingPathComponent("model.json"))) as? [String: Any])
        let weights = try #require(manifest["weights"] as? [String: Any])
        #expect(weights["sha256"] as? String == (try Self.reference()).weights_sha256,
                "reference.json is stale: re-run Models/demo-ct/train/evaluate.py")
        let models = try CLI.segd(["models", Self.bundle.deletingLastPathComponent().path])
        #expect(models.status == 0 && models.stdout.contains("demo-ct"), "\(models.stdout)\(models.stderr)")
    }

    @Test func demoModelOnTheSampleMatchesMONAIAndMakesAValidSEG() async throws { try await offPool {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let r = try CLI.segd(["process", Self.sample.path, "--model", Self.bundle.path, "--output", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let series = try #require(summary["series"] as? [String: Any])
        let ref = try Self.reference()
        #expect(series["size"] as? [Int] == ref.size_xyz)
        let labels = try #require(summary["labels"] as? [[String: Any]])
        #expect(labels.compactMap { $0["name"] as? String } == ["Soft tissue", "Bone"])
        for label in labels {
            let key = String(try #require(label["label"] as? Int))
            let voxels = try #require(label["voxels"] as? Int)
            let expected = try #require(ref.voxels[key])
            // segd and MONAI differ only by float rounding, which can flip voxels where two classes tie:
            // allow 0.2 % of the label's voxels.
            let tolerance = max(50, expected / 500)
            #expect(abs(voxels - expected) <= tolerance,
                    "label \(key): segd \(voxels) voxels, MONAI \(expected) (tolerance \(tolerance))")
            #expect(voxels > 10_000, "label \(key) should not be nearly empty on the sample")
        }
        let outputs = try #require(summary["outputs"] as? [String: String])
        let seg = try #require(outputs["seg"])
        let check = try CLI.run(CLI.shared.appendingPathComponent("tools/check-seg").path,
                                [seg, Self.sample.path, "--expect-segments", "2"])
        #expect(check.stdout.hasPrefix("SEG OK"), "check-seg: \(check.stdout)\(check.stderr)")

        let png = dir.appendingPathComponent("preview.png")
        let preview = try CLI.segd(["seg", "preview", seg, Self.sample.path, "--out", png.path])
        #expect(preview.status == 0, "\(preview.stdout)\(preview.stderr)")
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.count > 1000 && Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
        func be32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        // Three panels of at most 320 px side by side, plus margins, titles and legend.
        #expect((960...1100).contains(be32(16)) && (200...600).contains(be32(20)), "PNG \(be32(16))x\(be32(20))")
        #expect(String(decoding: bytes[(bytes.count - 8)..<(bytes.count - 4)], as: UTF8.self) == "IEND")

        // The same SEG with a series it was not made from: a clear error, no PNG.
        let other = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/ct_ge_3slice_j2k")
        let wrong = dir.appendingPathComponent("wrong.png")
        let bad = try CLI.segd(["seg", "preview", seg, other.path, "--out", wrong.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("give the folder of the series the SEG was made from"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: wrong.path))
    }
    }
}
