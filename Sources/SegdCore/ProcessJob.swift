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
        let manifest = bundle.manifest
        let plugin = try registry.plugin(for: manifest.network.className)

        var timer = StageTimer(progress: progress)
        timer.start(.decode)
        let stack = try selectStack(try DICOMScanner.scan(directory: seriesDirectory))
        let pipeline = SegmentationPipeline(manifest: manifest)
        try pipeline.check(source: stack.geometry, modality: stack.modality)
        let estimate = try MemoryEstimate(source: stack.geometry, manifest: manifest)
        let volume = try stack.loadVolume()
        timer.finish(.decode)

        timer.start(.preprocess)
        let network = try PluginNetwork(plugin: plugin, description: manifest.network,
                                        weightsPath: bundle.weightsURL.path, threads: threads)
        let predictor = SlidingWindowInference.predictor { x in try network.forward(x) }
        var windowsStarted = false
        let result = try pipeline.run(volume: volume, modality: stack.modality, progress: { done, total in
            if !windowsStarted {
                windowsStarted = true
                timer.finish(.preprocess)
                timer.start(.inference)
            }
            progress(.windows(done: done, total: total))
        }, predictor: predictor)
        if !windowsStarted { timer.finish(.preprocess); timer.start(.inference) }
        timer.finish(.inference)
        // The pipeline's resample-back and postprocess stages are reported together as postprocess.
        let post = [SegmentationPipeline.Stage.resampleBack, .postprocess]
            .compactMap { result.timings[$0] }.reduce(Duration.zero, +)
        timer.record(.postprocess, seconds: post.seconds)

        timer.start(.write)
        var outputs: [String: String] = [:]
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw JobError(.output, "cannot create the output folder \(outputDirectory): \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: outputDirectory).appendingPathComponent(Self.outputStem(stack, manifest))
        let segURL = base.appendingPathExtension("seg.dcm")
        let options = SEGWriteOptions(algorithmName: manifest.id, algorithmVersion: manifest.version,
                                      seriesNumber: segSeriesNumber, seriesDescription: segSeriesDescription,
                                      softwareVersion: softwareVersion, keepEmptyFrames: keepEmptyFrames)
        let written = try SEGWriter.write(result.labelMap, source: stack, segments: manifest.labels,
                                          options: options, to: segURL.path)
        outputs["seg"] = written.path
        if writeNRRD {
            let url = base.appendingPathExtension("nrrd")
            try NRRDWriter.write(result.labelMap, to: url)
            outputs["labelmap"] = url.path
        }
        timer.finish(.write)

        let labels = manifest.labels.map {
            JobSummary.Label(label: Int($0.label), name: $0.name, voxels: result.voxelCounts[Int($0.label)],
                             empty: result.voxelCounts[Int($0.label)] == 0)
        }
        let g = stack.geometry
        var summary = JobSummary(
            series: .init(seriesInstanceUID: stack.seriesInstanceUID, modality: stack.modality,
                          size: [g.size.x, g.size.y, g.size.z], spacing: [g.spacing.x, g.spacing.y, g.spacing.z],
                          slices: stack.sliceCount),
            model: manifest.id, modelVersion: manifest.version, stageSeconds: timer.seconds,
            windows: result.windows, labels: labels, segFrames: written.frames, outputs: outputs,
            estimatedPeakBytes: estimate.peakBytes)
        let summaryURL = base.appendingPathExtension("json")
        summary.outputs["summary"] = summaryURL.path
        try Self.writeJSON(summary, to: summaryURL)
        return summary
    }

    /// The one accepted stack to process, or a clear error.
    func selectStack(_ scan: ScanResult) throws(JobError) -> SeriesStack {
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
    static func outputStem(_ stack: SeriesStack, _ manifest: ModelManifest) -> String {
        "\(manifest.id)-\(UIDHash.short(stack.seriesInstanceUID))"
    }

    static func writeJSON(_ summary: JobSummary, to url: URL) throws(JobError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(summary).write(to: url, options: .atomic)
        } catch {
            throw JobError(.output, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
