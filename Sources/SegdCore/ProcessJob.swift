import DICOM
import Foundation
import Imaging
import NN
import SegModelKit

/// One job end to end, in this process: read a series, run a model bundle on it, write the results.
///
/// This is `segd process`, and the body of the daemon's worker.
public struct ProcessJob {
    public var seriesDirectory: String
    public var bundleDirectory: String
    public var outputDirectory: String
    /// Which series of the folder to process, when it holds several accepted ones.
    public var seriesInstanceUID: String?
    /// Also write the label map as NRRD (for inspection in Slicer/ITK).
    public var writeNRRD: Bool
    /// Compute threads for the plugin (0 = its default).
    public var threads: Int
    /// The SEG's SeriesNumber.
    public var segSeriesNumber: Int
    /// The SEG's SeriesDescription; nil gives "segd: <model id> <version>".
    public var segSeriesDescription: String?
    /// Write SEG frames for empty slices of a segment too.
    public var keepEmptyFrames: Bool
    /// Reported in the SEG's SoftwareVersions.
    public var softwareVersion: String
    /// Also write `<stem>.png`: the source's mid-planes with the segments drawn over them.
    public var writePreview = false

    public init(seriesDirectory: String, bundleDirectory: String, outputDirectory: String,
                seriesInstanceUID: String? = nil, writeNRRD: Bool = false, threads: Int = 0,
                segSeriesNumber: Int = 901, segSeriesDescription: String? = nil, keepEmptyFrames: Bool = false,
                softwareVersion: String) {
        self.seriesDirectory = seriesDirectory
        self.bundleDirectory = bundleDirectory
        self.outputDirectory = outputDirectory
        self.seriesInstanceUID = seriesInstanceUID
        self.writeNRRD = writeNRRD
        self.threads = threads
        self.segSeriesNumber = segSeriesNumber
        self.segSeriesDescription = segSeriesDescription
        self.keepEmptyFrames = keepEmptyFrames
        self.softwareVersion = softwareVersion
    }

    public func run(registry: PluginRegistry, progress: @escaping @Sendable (JobProgress) -> Void = { _ in })
        throws -> JobSummary
    {
        // Check the model before reading pixels: a bad bundle fails fast and loses nothing.
        let bundle = try ModelBundle.load(directory: URL(fileURLWithPath: bundleDirectory))
        let plugin = try registry.plugin(for: bundle.manifest.network.className)

        var timer = StageTimer(progress: progress)
        timer.start(.decode)
        let stack = try selectStack(try DICOMScanner.scan(directory: seriesDirectory))
        let estimate = try Self.check(stack: stack, manifest: bundle.manifest)
        let volume = try stack.loadVolume()
        timer.finish(.decode)
        let stem = Self.outputStem(stack, bundle.manifest)
        return try segment(stack: stack, volume: volume, bundle: bundle, plugin: plugin, stem: stem,
                           estimate: estimate, timer: &timer)
    }

    /// Checks that `manifest`'s model can take the series, and estimates the pipeline's peak memory.
    public static func check(stack: SeriesStack, manifest: ModelManifest) throws -> MemoryEstimate {
        try SegmentationPipeline(manifest: manifest).check(source: stack.geometry, modality: stack.modality)
        return try MemoryEstimate(source: stack.geometry, manifest: manifest)
    }

    /// The one accepted stack to process, or a clear error.
    public func selectStack(_ scan: ScanResult) throws(JobError) -> SeriesStack {
        var stacks = scan.acceptedStacks
        if let uid = seriesInstanceUID { stacks = stacks.filter { $0.seriesInstanceUID == uid } }
        guard let first = stacks.first else {
            let why = scan.series.flatMap { r in r.reasons.map { "\(r.seriesDescription.isEmpty ? r.modality : r.seriesDescription): \($0)" } }
            let detail = why.isEmpty ? "no DICOM image series found" : why.prefix(5).joined(separator: "; ")
            throw JobError(.noSeries, "no usable series in \(seriesDirectory)\(seriesInstanceUID.map { " with UID \($0)" } ?? ""): \(detail)")
        }
        guard stacks.count == 1 else {
            throw JobError(.ambiguousSeries,
                           "\(seriesDirectory) holds \(stacks.count) usable series; choose one with --series UID (see segd inspect)")
        }
        return first
    }

    /// A file stem that names the model and a hash of the series UID (never patient data).
    public static func outputStem(_ stack: SeriesStack, _ manifest: ModelManifest) -> String {
        "\(manifest.id)-\(UIDHash.short(stack.seriesInstanceUID))"
    }

    static func writeJSON(_ summary: JobSummary, to url: URL) throws(JobError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(summary) } catch {
            throw JobError(.output, "cannot encode the summary: \(error.localizedDescription)")
        }
        try AtomicOutput.write(data, to: url.path)
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
