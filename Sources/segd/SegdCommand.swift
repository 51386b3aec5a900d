import ArgumentParser
import SegControl

@main
struct SegdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segd",
        abstract: "Segment DICOM series with deep-learning models and write DICOM-SEG.",
        version: SegdVersion.string,
        subcommands: [InspectCommand.self, ProcessCommand.self, ModelCommand.self, PluginsCommand.self, ModelsCommand.self,
                      SegCommand.self, CheckConfigCommand.self, RunCommand.self, WorkerCommand.self,
                      ScanFolderCommand.self])
}
