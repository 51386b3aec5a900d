import Foundation
import Testing
@testable import SegModelKit

@Suite struct BundleTests {
    /// A bundle folder with the sample manifest and weights whose content is `weights`.
    func makeBundle(weights: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segd-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(sampleManifestJSON.utf8).write(to: dir.appendingPathComponent("model.json"))
        try Data(weights.utf8).write(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    @Test func loadsWhenTheChecksumMatches() throws {
        let dir = try makeBundle(weights: "abc")  // the sample's sha256 is that of "abc"
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try ModelBundle.load(directory: dir)
        #expect(bundle.manifest.id == "spleen-ct")
        #expect(bundle.weightsURL.lastPathComponent == "model.safetensors")
    }

    @Test func refusesWrongChecksum() throws {
        let dir = try makeBundle(weights: "abd")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ModelError.self) { try ModelBundle.load(directory: dir) }
        do { _ = try ModelBundle.load(directory: dir) } catch {
            #expect(error.code == .weightsChecksumMismatch)
            #expect(error.message.contains("model.safetensors has sha256"))
        }
    }

    @Test func refusesMissingWeightsFileAndMissingManifest() throws {
        let dir = try makeBundle(weights: "abc")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        do { _ = try ModelBundle.load(directory: dir); Issue.record("loaded without weights") } catch {
            #expect(error.code == .invalidBundle && error.message.contains("is missing"))
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.json"))
        do { _ = try ModelBundle.load(directory: dir); Issue.record("loaded without model.json") } catch {
            #expect(error.code == .invalidBundle)
        }
    }
}
