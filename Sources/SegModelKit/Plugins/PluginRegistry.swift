#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finds and loads the model plugins, and answers which plugin implements a network class.
///
/// A plugin that fails to load is reported in `failures` and does not stop the others.
public struct PluginRegistry: Sendable {
    public struct Failure: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public private(set) var plugins: [LoadedPlugin] = []
    public private(set) var failures: [Failure] = []

    /// A folder to search. In a plugin folder every `.so` must be a plugin; in a build folder only
    /// `libSegdPlugin*.so` files are considered (SwiftPM puts other libraries there too).
    public struct SearchDirectory: Sendable, Hashable {
        public var path: String
        public var isBuildFolder: Bool

        public init(_ path: String, isBuildFolder: Bool = false) {
            self.path = path
            self.isBuildFolder = isBuildFolder
        }
    }

    /// Loads every plugin found in `directories`, in order. Earlier directories win when two plugins claim
    /// the same class (the later one is reported as a failure for that class but stays usable for others).
    public init(directories: [SearchDirectory]) {
        var seenPaths = Set<String>()
        for directory in directories {
            for path in Self.candidateLibraries(in: directory) {
                let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard seenPaths.insert(real).inserted else { continue }
                do {
                    let plugin = try LoadedPlugin.open(path: path)
                    for cls in plugin.classes {
                        if let owner = plugins.first(where: { $0.classes.contains(cls) }) {
                            failures.append(Failure(path: path,
                                                    reason: "class \(cls) is already provided by \(owner.path); ignored here"))
                        }
                    }
                    plugins.append(plugin)
                } catch {
                    failures.append(Failure(path: path, reason: error.message))
                }
            }
        }
    }

    /// The plugin that implements `networkClass`, or a clear error listing what is available.
    public func plugin(for networkClass: String) throws(ModelError) -> LoadedPlugin {
        if let p = plugins.first(where: { $0.classes.contains(networkClass) }) { return p }
        let known = plugins.flatMap(\.classes).sorted()
        let list = known.isEmpty ? "no plugins are loaded" : "known classes: \(known.joined(separator: ", "))"
        throw ModelError(.unknownNetworkClass,
                         "no plugin implements network class \(networkClass) (\(list)); install its plugin or set SEGD_PLUGIN_PATH")
    }

    /// The default search path: `$SEGD_PLUGIN_PATH` (colon-separated), then the installed plugin folder next to
    /// the executable (`../lib/segd/plugins`), `/usr/lib/segd/plugins`, and the executable's own folder, where
    /// SwiftPM puts the built plugins during development.
    public static func defaultDirectories(environment: [String: String] = ProcessInfo.processInfo.environment,
                                          executablePath: String = CommandLine.arguments.first ?? "")
        -> [SearchDirectory]
    {
        var dirs: [SearchDirectory] = []
        if let env = environment["SEGD_PLUGIN_PATH"] {
            dirs += env.split(separator: ":").filter { !$0.isEmpty }.map { SearchDirectory(String($0)) }
        }
        let exeDir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(SearchDirectory(exeDir.appendingPathComponent("../lib/segd/plugins").standardizedFileURL.path))
        dirs.append(SearchDirectory("/usr/lib/segd/plugins"))
        dirs.append(SearchDirectory(exeDir.path, isBuildFolder: true))
        return dirs
    }

    static func candidateLibraries(in directory: SearchDirectory) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted().filter { name in
            name.hasSuffix(".so") && (!directory.isBuildFolder || name.hasPrefix("libSegdPlugin"))
        }.map { (directory.path as NSString).appendingPathComponent($0) }
    }
}
