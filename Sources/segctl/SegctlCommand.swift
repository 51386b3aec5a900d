import ArgumentParser
import SegControl

@main
struct SegctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segctl",
        abstract: "Control a running segd daemon.",
        discussion: "The control socket commands arrive with the daemon; this build only reports its version.",
        version: SegdVersion.string)
}
