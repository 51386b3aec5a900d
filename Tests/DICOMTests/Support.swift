import SegModelKit
import Foundation
import Testing

/// Locations of test data: the repo's fixtures and the shared corpus (`<repo>/../shared`, or $SEGD_SHARED).
enum TestData {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repoRoot.appendingPathComponent("Tests/Fixtures/dicom").path

    /// The shared corpus folder. Tests that need it fail (not skip) when it is missing.
    static var corpus: String {
        let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"]
            ?? repoRoot.appendingPathComponent("../shared").standardizedFileURL.path
        return shared + "/dicom"
    }

    /// Every folder of the corpus (relative path) that has an expected.json.
    static var corpusFolders: [String] {
        let root = URL(fileURLWithPath: corpus)
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return ["<corpus missing: \(corpus)>"] }
        var folders: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix("expected.json") {
                folders.append(String(relative.dropLast("/expected.json".count)))
            }
        }
        return folders.isEmpty ? ["<corpus missing: \(corpus)>"] : folders.sorted()
    }

    /// The parsed expected.json of a folder.
    static func expected(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// Pixel hashes as the corpus's pydicom `pixel_sha256` computes them, with segd's own SHA-256 (tested in
/// SegModelKitTests against the FIPS 180-4 vectors).
enum PixelHash {
    /// Hash of stored values as 16-bit little-endian words (pydicom `pixel_array.tobytes()` for 16-bit data).
    static func hex16(_ values: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 2)
        for v in values {
            let word = UInt16(bitPattern: Int16(truncatingIfNeeded: Int(v)))
            bytes.append(UInt8(word & 0xFF))
            bytes.append(UInt8(word >> 8))
        }
        return SHA256.hash(bytes)
    }
}
