import DICOM
import Foundation
import Imaging
import SegModelKit

extension ProcessJob {
    /// Runs one model on a series already decoded, and writes its outputs (`<stem>.seg.dcm`, `<stem>.json`, and
    /// with `writeNRRD` `<stem>.nrrd`) into `outputDirectory`. Every file is written under a temporary name,
    /// fsynced and renamed, so a reader never sees a partial output, and writing the same stem again replaces
    /// the earlier files instead of adding new ones.
    public func segment(stack: SeriesStack, volume: Volume, bundle: ModelBundle, plugin: LoadedPlugin, stem: String,
                        estimate: MemoryEstimate, timer: inout StageTimer) throws -> JobSummary {
        let manifest = bundle.manifest
        let pipeline = SegmentationPipeline(manifest: manifest)
        timer.start(.preprocess)
        let network = try PluginNetwork(plugin: plugin, description: manifest.network,
                                        weightsPath: bundle.weightsURL.path, threads: threads)
        var windowsStarted = false
        let progress = timer.progress
        var t = timer
        // Inference starts with the first window's forward pass, not when it is done (the first progress
        // report): the daemon times each stage, and a network that hangs on its first window must be timed as
        // inference.
        let enterInference = {
            guard !windowsStarted else { return }
            windowsStarted = true
            t.finish(.preprocess)
            t.start(.inference)
        }
        let predictor = SlidingWindowInference.predictor { x in
            enterInference()
            return try network.forward(x)
        }
        let result = try pipeline.run(volume: volume, modality: stack.modality, progress: { done, total in
            enterInference()
            progress(.windows(done: done, total: total))
        }, predictor: predictor)
        enterInference()
        t.finish(.inference)
        // The pipeline's resample-back and postprocess stages are reported together as postprocess.
        let post = [SegmentationPipeline.Stage.resampleBack, .postprocess]
            .compactMap { result.timings[$0] }.reduce(Duration.zero, +)
        t.record(.postprocess, seconds: post.seconds)

        t.start(.write)
        var outputs: [String: String] = [:]
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw JobError(.output, "cannot create the output folder \(outputDirectory): \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: outputDirectory).appendingPathComponent(stem)
        let segPath = base.appendingPathExtension("seg.dcm").path
        let options = SEGWriteOptions(algorithmName: manifest.id, algorithmVersion: manifest.version,
                                      seriesNumber: segSeriesNumber, seriesDescription: segSeriesDescription,
                                      softwareVersion: softwareVersion, keepEmptyFrames: keepEmptyFrames)
        let temporary = AtomicOutput.temporaryPath(for: segPath)
        let written: SEGWriteResult
        do {
            written = try SEGWriter.write(result.labelMap, source: stack, segments: manifest.labels,
                                          options: options, to: temporary)
            try AtomicOutput.commit(temporary, to: segPath)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        outputs["seg"] = segPath
        if writePreview {
            let png = try SegPreview.render(volume: volume, labelMap: result.labelMap, segments: manifest.labels,
                                            modality: stack.modality)
            let url = base.appendingPathExtension("png")
            try AtomicOutput.write(png, to: url.path)
            outputs["preview"] = url.path
        }
        if writeNRRD {
            let url = base.appendingPathExtension("nrrd")
            try NRRDWriter.write(result.labelMap, to: url)
            outputs["labelmap"] = url.path
        }
        t.finish(.write)
        timer = t

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
}
