import Foundation

/// The model bundles found in a set of folders, each valid or with the reason it is not.
public struct ModelCatalog: Sendable {
    public struct Entry: Sendable {
        public var directory: String
        /// The loaded bundle, when valid.
        public var bundle: ModelBundle?
        /// Why the bundle cannot be used, when invalid.
        public var problem: String?
        public var isValid: Bool { bundle != nil }
    }

    public private(set) var entries: [Entry] = []

    /// Every sub-folder of `directories` that holds a `model.json` is a bundle candidate. Missing folders are
    /// skipped. Bundles are validated fully, weights checksum included.
    public init(directories: [String]) {
        let fm = FileManager.default
        for directory in directories {
            guard let names = try? fm.contentsOfDirectory(atPath: directory) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                let dir = URL(fileURLWithPath: directory).appendingPathComponent(name)
                guard fm.fileExists(atPath: dir.appendingPathComponent("model.json").path) else { continue }
                do {
                    entries.append(Entry(directory: dir.path, bundle: try ModelBundle.load(directory: dir), problem: nil))
                } catch {
                    entries.append(Entry(directory: dir.path, bundle: nil, problem: error.message))
                }
            }
        }
    }

    /// The default model folders: the installed ones, then the administrator's.
    public static let defaultDirectories = ["/usr/share/segd/models", "/var/lib/segd/models"]
}
