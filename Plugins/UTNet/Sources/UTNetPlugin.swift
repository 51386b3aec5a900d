import NN
import SegModelKit

/// The UTNet model plugin: implements `yhygao/UTNet:model.utnet.UTNet` (the class path names the repository and
/// the Python module path inside it, as in the network descriptions of the parity fixtures).
public enum UTNetPlugin: ModelPlugin {
    public static let name = "utnet"
    public static let version = "1.0.0"
    public static let classPath = "yhygao/UTNet:model.utnet.UTNet"
    public static var classes: [String] { [classPath] }

    public static func makeNetwork(_ description: NetworkDescription, weights: WeightStore) throws -> any SegmentationNetwork {
        guard description.className == classPath else {
            throw ModelError(.unknownNetworkClass, "the UTNet plugin implements \(classPath), not \(description.className)")
        }
        return try UTNet(config: try UTNetConfig(description), weights: weights)
    }
}

@_cdecl("segd_plugin_entry")
public func segdPluginEntry(_ hostABIVersion: UInt32) -> UnsafeRawPointer? {
    PluginExport.entry(hostABIVersion, plugin: UTNetPlugin.self)
}
