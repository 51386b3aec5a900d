import Foundation
import Testing

/// Locations of test data: the repo and the shared corpus (`<repo>/../shared`, or $SEGD_SHARED).
enum TestData {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shared DICOM corpus. Tests that need it fail (not skip) when it is missing.
    static var corpus: String {
        let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"]
            ?? repoRoot.appendingPathComponent("../shared").standardizedFileURL.path
        return shared + "/dicom"
    }

    /// The parsed expected.json of a corpus folder.
    static func expected(_ folder: String) throws -> [String: Any] {
        let path = corpus + "/" + folder + "/expected.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusMissing(path: path)
        }
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    struct CorpusMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "shared corpus file missing: \(path) (put ../shared beside the repo or set SEGD_SHARED)" }
    }
}
