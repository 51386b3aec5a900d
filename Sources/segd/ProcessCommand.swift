import ArgumentParser
import Foundation
import SegControl
import SegdCore

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Segment one series with one model bundle, in this process (segd's main job in one shot).",
        discussion: """
            Reads the series in SERIES_DIR, runs the bundle's pipeline (reorient, resample, intensity, \
            sliding-window inference, back to the exact source grid, postprocessing) and writes the results \
            into OUT_DIR as a DICOM-SEG on the exact source grid, with a JSON summary. Progress goes to standard error: a bar on a terminal, plain \
            lines otherwise.
            """)

    @Argument(help: "Folder holding the series (searched recursively).") var seriesDir: String
    @Option(help: "The model bundle folder (model.json + weights).") var model: String
    @Option(help: "Where to write the results.") var output: String
    @Option(help: "The SeriesInstanceUID to process when the folder holds several series.") var series: String?
    @Flag(help: "Also write the label map as NRRD.") var nrrd = false
    @Option(help: "SeriesNumber of the SEG.") var segSeriesNumber: Int = 901
    @Option(help: "SeriesDescription of the SEG (default \"segd: <model id> <version>\").") var segSeriesDescription: String?
    @Flag(help: "Write SEG frames for slices where a segment is empty too.") var keepEmptyFrames = false
    @Flag(help: "Print the summary as JSON on standard output.") var json = false
    @Option(help: "Compute threads (0 = all cores).") var threads: Int = 0
    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let job = ProcessJob(seriesDirectory: seriesDir, bundleDirectory: model, outputDirectory: output,
                             seriesInstanceUID: series, writeNRRD: nrrd, threads: threads,
                             segSeriesNumber: segSeriesNumber, segSeriesDescription: segSeriesDescription,
                             keepEmptyFrames: keepEmptyFrames, softwareVersion: SegdVersion.string)
        let reporter = ProgressReporter(interactive: isatty(STDERR_FILENO) == 1)
        let summary = try job.run(registry: plugins.registry()) { reporter.report($0) }
        reporter.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            SummaryPrinter.print(summary)
        }
    }
}
