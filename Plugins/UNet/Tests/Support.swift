import Foundation
import NN
import PluginTestKit
import SegModelKit
@testable import UNetPlugin

/// Fixture paths and loaders of this plugin's tests (see Tests/PluginTestKit).
let Fixtures = PluginFixtures(plugin: "UNet")

/// Runs fixture `name` (from this plugin's fixtures, or `folder`) through the plugin against its reference.
func checkParity(_ name: String, folder: URL? = nil) throws {
    try Fixtures.checkParity(name, in: folder ?? Fixtures.folder(name)) { try UNetPlugin.makeNetwork($0, weights: $1) }
}
