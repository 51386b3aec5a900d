internal import CSegPlugin

#if canImport(Glibc)
import Glibc
#endif

/// A plugin library opened with `dlopen` whose entry point answered our ABI version.
///
/// The library stays loaded for the life of the process: networks created from it hold function pointers
/// into it, and unloading Swift code is not supported by the runtime anyway.
public final class LoadedPlugin: @unchecked Sendable {
    /// The plugin's own name, e.g. "unet".
    public let name: String
    /// The plugin's own version string.
    public let version: String
    /// The network classes it implements, e.g. "monai.networks.nets.UNet".
    public let classes: [String]
    /// Where it was loaded from.
    public let path: String

    // Immutable after init; the table is static in the plugin.
    let api: UnsafePointer<segd_plugin_api>

    private init(path: String, api: UnsafePointer<segd_plugin_api>) {
        self.path = path
        self.api = api
        self.name = api.pointee.name.map { String(cString: $0) } ?? "(unnamed)"
        self.version = api.pointee.version.map { String(cString: $0) } ?? "(unknown)"
        var classes: [String] = []
        if var cursor = api.pointee.classes {
            while let c = cursor.pointee {
                classes.append(String(cString: c))
                cursor += 1
            }
        }
        self.classes = classes
    }

    /// Opens the library at `path` and validates its entry point and function table.
    public static func open(path: String) throws(ModelError) -> LoadedPlugin {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw ModelError(.pluginLoadFailed, "cannot load plugin \(path): \(reason)")
        }
        guard let symbol = dlsym(handle, SEGD_PLUGIN_ENTRY_SYMBOL) else {
            dlclose(handle)
            throw ModelError(.pluginLoadFailed,
                             "\(path) is not a segd plugin: it does not export \(SEGD_PLUGIN_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: segd_plugin_entry_fn.self)
        guard let api = entry(SEGD_PLUGIN_ABI_VERSION) else {
            // Keep the library loaded: it may have run initialisers we cannot undo safely.
            throw ModelError(.pluginABIMismatch,
                             "plugin \(path) does not support ABI version \(SEGD_PLUGIN_ABI_VERSION); rebuild it against this segd")
        }
        let table = api.pointee
        guard table.abi_version == SEGD_PLUGIN_ABI_VERSION else {
            throw ModelError(.pluginABIMismatch,
                             "plugin \(path) speaks ABI version \(table.abi_version), segd speaks \(SEGD_PLUGIN_ABI_VERSION); rebuild the plugin against this segd")
        }
        guard Int(table.struct_size) >= MemoryLayout<segd_plugin_api>.size else {
            throw ModelError(.pluginABIMismatch,
                             "plugin \(path) has a truncated function table (\(table.struct_size) bytes); rebuild it against this segd")
        }
        guard table.create != nil, table.infer != nil, table.release_tensor != nil, table.destroy != nil,
              table.classes != nil
        else {
            throw ModelError(.pluginABIMismatch, "plugin \(path) leaves required functions of its table empty")
        }
        return LoadedPlugin(path: path, api: api)
    }
}
