import UNETRPlugin
import SegModelKit

// The plugin's C entry point, in its own target so that test bundles can link several plugins at once.
@_cdecl("segd_plugin_entry")
public func segdPluginEntry(_ hostABIVersion: UInt32) -> UnsafeRawPointer? {
    PluginExport.entry(hostABIVersion, plugin: UNETRPlugin.self)
}
