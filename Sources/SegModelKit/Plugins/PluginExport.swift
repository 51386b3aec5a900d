internal import CSegPlugin
import Foundation
import NN

#if canImport(Glibc)
import Glibc
#endif

/// The plugin side of the C ABI: builds the static function table for a `ModelPlugin` type.
///
/// Each plugin is its own shared library with its own copy of this module, so the one registered plugin type
/// per library is kept in a process-wide (per-library) slot.
public enum PluginExport {
    /// Returns the function table for `plugin`, or nil when the host speaks another ABI version.
    public static func entry<P: ModelPlugin>(_ hostABIVersion: UInt32, plugin: P.Type) -> UnsafeRawPointer? {
        guard hostABIVersion == SEGD_PLUGIN_ABI_VERSION else { return nil }
        return UnsafeRawPointer(Registration.shared.table(for: plugin))
    }

    /// Builds a network the way the C `create` call does (used by tests and by in-process callers).
    static func create(_ json: String, _ weightsPath: String, plugin: any ModelPlugin.Type) throws -> any SegmentationNetwork {
        let description = try NetworkDescription(json: json)
        guard plugin.classes.contains(description.className) else {
            throw ModelError(.unknownNetworkClass,
                             "plugin \(plugin.name) does not implement \(description.className); it implements \(plugin.classes.joined(separator: ", "))")
        }
        let store: WeightStore
        do {
            store = try WeightStore(path: weightsPath)
        } catch {
            throw ModelError(.weightsMismatch, "cannot read weights \(weightsPath): \(error)")
        }
        return try plugin.makeNetwork(description, weights: store)
    }
}

/// The registered plugin type and its table. Filled once, on the first `entry` call.
private final class Registration: @unchecked Sendable {
    static let shared = Registration()

    private let lock = NSLock()
    private var plugin: (any ModelPlugin.Type)?
    private var tablePointer: UnsafeMutablePointer<segd_plugin_api>?

    func table(for type: any ModelPlugin.Type) -> UnsafeMutablePointer<segd_plugin_api> {
        lock.lock()
        defer { lock.unlock() }
        if let tablePointer { return tablePointer }
        plugin = type
        let table = UnsafeMutablePointer<segd_plugin_api>.allocate(capacity: 1)
        table.initialize(to: segd_plugin_api(
            abi_version: SEGD_PLUGIN_ABI_VERSION,
            struct_size: UInt32(MemoryLayout<segd_plugin_api>.size),
            name: Self.leak(type.name),
            version: Self.leak(type.version),
            classes: Self.leak(type.classes),
            create: pluginCreate,
            infer: pluginInfer,
            release_tensor: pluginReleaseTensor,
            destroy: pluginDestroy))
        tablePointer = table
        return table
    }

    var registered: (any ModelPlugin.Type)? {
        lock.lock()
        defer { lock.unlock() }
        return plugin
    }

    private static func leak(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(s)!) }

    private static func leak(_ list: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: list.count + 1)
        for (i, s) in list.enumerated() { array[i] = leak(s) }
        array[list.count] = nil
        return UnsafePointer(array)
    }
}

/// A live network behind an opaque handle.
private final class NetworkBox {
    let network: any SegmentationNetwork
    init(_ network: any SegmentationNetwork) { self.network = network }
}

private func describe(_ error: any Error) -> String {
    if let e = error as? ModelError { return e.message }
    if let e = error as? NNError { return e.message }
    return String(describing: error)
}

private func pluginCreate(_ json: UnsafePointer<CChar>?, _ weights: UnsafePointer<CChar>?, _ threads: Int32,
                          _ errorOut: UnsafeMutablePointer<segd_error>?) -> UnsafeMutableRawPointer? {
    guard let json, let weights else {
        segd_error_set(errorOut, "create: the network JSON and the weights path are required")
        return nil
    }
    guard let plugin = Registration.shared.registered else {
        segd_error_set(errorOut, "create: the plugin was not initialised through segd_plugin_entry")
        return nil
    }
    if threads > 0 { NN.setThreadCount(Int(threads)) }
    do {
        let network = try PluginExport.create(String(cString: json), String(cString: weights), plugin: plugin)
        return Unmanaged.passRetained(NetworkBox(network)).toOpaque()
    } catch {
        segd_error_set(errorOut, describe(error))
        return nil
    }
}

private func pluginInfer(_ handle: UnsafeMutableRawPointer?, _ input: UnsafePointer<segd_tensor>?,
                         _ output: UnsafeMutablePointer<segd_tensor>?, _ errorOut: UnsafeMutablePointer<segd_error>?) -> Int32 {
    guard let handle, let input, let output else {
        segd_error_set(errorOut, "infer: handle, input and output are required")
        return 1
    }
    let box = Unmanaged<NetworkBox>.fromOpaque(handle).takeUnretainedValue()
    do {
        let x = try TensorABI.tensor(from: input.pointee)
        let y = try box.network.forward(x)
        output.pointee = try TensorABI.export(y)
        return 0
    } catch {
        segd_error_set(errorOut, describe(error))
        return 1
    }
}

private func pluginReleaseTensor(_ tensor: UnsafeMutablePointer<segd_tensor>?) {
    guard let tensor, let data = tensor.pointee.data else { return }
    free(data)
    tensor.pointee.data = nil
}

private func pluginDestroy(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    Unmanaged<NetworkBox>.fromOpaque(handle).release()
}
