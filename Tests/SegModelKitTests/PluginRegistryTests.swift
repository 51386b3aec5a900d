import Foundation
import SegModelKit
import Testing

@Suite struct PluginRegistryTests {
    @Test func wrongABIVersionIsRefusedClearly() throws {
        let path = TestPaths.builtLibrary("libSegdTestPluginWrongABI.so")
        #expect(FileManager.default.fileExists(atPath: path), "build the test plugin first: swift build")
        do {
            _ = try LoadedPlugin.open(path: path)
            Issue.record("a plugin with ABI version 99 was accepted")
        } catch {
            #expect(error.code == .pluginABIMismatch)
            #expect(error.message.contains("ABI version 99"))
        }
    }

    @Test func nonPluginLibraryAndJunkAreReportedNotFatal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segd-plugins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A text file with a .so name, and a real shared library that is not a plugin.
        try Data("not a library".utf8).write(to: dir.appendingPathComponent("junk.so"))
        let libz = ["/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"]
            .first { FileManager.default.fileExists(atPath: $0) }
        if let libz {
            let real = URL(fileURLWithPath: libz).resolvingSymlinksInPath().path
            try FileManager.default.copyItem(atPath: real, toPath: dir.appendingPathComponent("libz.so").path)
        }
        let wrong = TestPaths.builtLibrary("libSegdTestPluginWrongABI.so")
        try FileManager.default.copyItem(atPath: wrong, toPath: dir.appendingPathComponent("wrong.so").path)

        let registry = PluginRegistry(directories: [.init(dir.path)])
        #expect(registry.plugins.isEmpty)
        let reasons = Dictionary(uniqueKeysWithValues: registry.failures.map {
            (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason)
        })
        #expect(reasons["junk.so"]?.contains("cannot load plugin") == true)
        #expect(reasons["wrong.so"]?.contains("ABI version") == true)
        if libz != nil { #expect(reasons["libz.so"]?.contains("does not export segd_plugin_entry") == true, "\(reasons)") }
        #expect(throws: ModelError.self) { try registry.plugin(for: "monai.networks.nets.UNet") }
    }

    @Test func missingDirectoryIsQuiet() {
        let registry = PluginRegistry(directories: [.init("/nonexistent/segd/plugins")])
        #expect(registry.plugins.isEmpty && registry.failures.isEmpty)
    }

    @Test func defaultSearchPathHonoursEnvironment() {
        let dirs = PluginRegistry.defaultDirectories(environment: ["SEGD_PLUGIN_PATH": "/a:/b"],
                                                     executablePath: "/opt/segd/bin/segd")
        #expect(dirs.map(\.path) == ["/a", "/b", "/opt/segd/lib/segd/plugins", "/usr/lib/segd/plugins", "/opt/segd/bin"])
        #expect(dirs.last?.isBuildFolder == true)
    }
}
