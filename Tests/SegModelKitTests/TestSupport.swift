import Foundation

/// Paths of the package under test.
enum TestPaths {
    /// The repository root, found from this file's location.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder SwiftPM builds into for this test run (the test bundle's own folder).
    static let buildFolder: URL = {
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // The test runner lives inside `<build>/<config>/segdPackageTests.xctest` or directly in `<build>/<config>`.
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("segd").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    /// A library product built next to the tests, e.g. `libSegdTestPluginWrongABI.so`.
    static func builtLibrary(_ name: String) -> String {
        buildFolder.appendingPathComponent(name).path
    }
}
