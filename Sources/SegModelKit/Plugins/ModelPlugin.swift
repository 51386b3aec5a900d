public import NN

/// A network built by a plugin: one forward pass from an input tensor to an output tensor.
///
/// Implementations check the input's rank and channel count and throw a clear error rather than compute
/// garbage. `forward` is never called concurrently on the same instance.
public protocol SegmentationNetwork: AnyObject {
    func forward(_ input: Tensor) throws -> Tensor
}

/// What a model plugin declares: its identity, the network classes it implements, and how to build them.
///
/// A plugin target implements this protocol on one type and exports it with one line:
///
/// ```swift
/// @_cdecl("segd_plugin_entry")
/// public func segdPluginEntry(_ hostABIVersion: UInt32) -> UnsafeRawPointer? {
///     PluginExport.entry(hostABIVersion, plugin: MyPlugin.self)
/// }
/// ```
public protocol ModelPlugin {
    /// Short name, e.g. "unet".
    static var name: String { get }
    /// The plugin's version.
    static var version: String { get }
    /// Python class paths it implements, e.g. "monai.networks.nets.UNet".
    static var classes: [String] { get }
    /// Builds the network described by `description` with its weights. Every weight of `weights` must be used
    /// and every kwarg understood; anything else is an error naming the key.
    static func makeNetwork(_ description: NetworkDescription, weights: WeightStore) throws -> any SegmentationNetwork
}
