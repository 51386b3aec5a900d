import Foundation

/// Where the tests find the repository, the shared corpus and the built products.
public enum TestPaths {
    /// The repository root (this file is `Tests/TestSupport/TestPaths.swift`).
    public static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared corpus, `<repo>/../shared` or `$SEGD_SHARED`.
    public static let shared: URL = ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
        ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// The folder holding the built products (`segd`, `segctl`, the plugin libraries).
    public static let buildFolder: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("segd").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()
}
