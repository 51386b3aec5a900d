import ArgumentParser
import SegModelKit

/// Options shared by the commands that load model plugins.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"), help: ArgumentHelp(
        "A folder of plugins to search before the defaults (repeatable).",
        discussion: "Defaults, in order: $SEGD_PLUGIN_PATH, ../lib/segd/plugins next to segd, /usr/lib/segd/plugins, and segd's own folder (development builds)."))
    var pluginPaths: [String] = []

    func registry() -> PluginRegistry {
        PluginRegistry(directories: pluginPaths.map { PluginRegistry.SearchDirectory($0) }
            + PluginRegistry.defaultDirectories())
    }
}
