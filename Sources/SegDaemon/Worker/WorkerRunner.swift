import DICOM
import Foundation
import Imaging
import SegModelKit
import SegdCore

/// The body of `segd worker`: one attempt of one job, in its own process, driven over stdin/stdout.
///
/// 1. read the series' headers and report `series` (routing facts);
/// 2. wait for `models`, load and check the bundles and plugins, report `plan` (peak memory estimate);
/// 3. wait for `go`, decode, run every model, write each one's outputs atomically, report `output`.
/// Any failure is reported as one classified `error` line and exit status 1.
public struct WorkerRunner {
    let spec: WorkerSpec
    let emit: @Sendable (WorkerMessage) -> Void
    let next: () -> WorkerCommand?

    public init(spec: WorkerSpec, emit: @escaping @Sendable (WorkerMessage) -> Void, next: @escaping () -> WorkerCommand?) {
        self.spec = spec
        self.emit = emit
        self.next = next
    }

    /// Runs the attempt; returns the exit status.
    public func run() -> Int32 {
        do {
            return try attempt()
        } catch {
            let code = (error as? DICOMError).map { "\($0.code)" } ?? (error as? ModelError).map { "\($0.code)" }
                ?? (error as? JobError).map { "\($0.code)" } ?? "error"
            emit(.failure(FailureClassifier.classify(error), code: code))
            return WorkerExit.failed
        }
    }

    func attempt() throws -> Int32 {
        emit(stage: "route")
        var job = ProcessJob(seriesDirectory: spec.inputs.first ?? "", bundleDirectory: "", outputDirectory: spec.output,
                             seriesInstanceUID: spec.seriesUID.isEmpty ? nil : spec.seriesUID,
                             threads: spec.threads, softwareVersion: spec.softwareVersion)
        job.writePreview = true
        let files = try Self.files(in: spec.inputs)
        let stack = try job.selectStack(try DICOMScanner.scan(files: files))
        var series = WorkerMessage(.series)
        series.facts = SeriesFacts(stack: stack).values
        series.modality = stack.modality
        series.slices = stack.sliceCount
        emit(series)

        guard let command = next(), command.cmd == .models, let models = command.models, !models.isEmpty else {
            return WorkerExit.stopped
        }
        let registry = PluginRegistry(directories: spec.pluginDirectories.map { .init($0) }
                                      + PluginRegistry.defaultDirectories())
        var loaded: [(WorkerModel, ModelBundle, LoadedPlugin, MemoryEstimate)] = []
        for model in models {
            let bundle = try ModelBundle.load(directory: URL(fileURLWithPath: model.bundle))
            let plugin = try registry.plugin(for: bundle.manifest.network.className)
            let estimate = try ProcessJob.check(stack: stack, manifest: bundle.manifest)
            loaded.append((model, bundle, plugin, estimate))
        }
        var plan = WorkerMessage(.plan)
        // Models run one after the other on one decoded volume: the peak is the volume plus the largest model.
        plan.bytes = loaded.map(\.3.peakBytes).max() ?? 0
        emit(plan)
        guard let go = next(), go.cmd == .go else { return WorkerExit.stopped }

        let emit = self.emit
        var timer = StageTimer { event in emit(Self.message(for: event)) }
        timer.start(.decode)
        let volume = try stack.loadVolume()
        timer.finish(.decode)
        for (model, bundle, plugin, estimate) in loaded {
            let summary = try job.segment(stack: stack, volume: volume, bundle: bundle, plugin: plugin,
                                          stem: model.stem, estimate: estimate, timer: &timer)
            var out = WorkerMessage(.output)
            out.model = model.id
            out.summary = summary
            emit(out)
        }
        return 0
    }

    func emit(stage: String) {
        var m = WorkerMessage(.stage)
        m.stage = stage
        emit(m)
    }

    static func message(for event: JobProgress) -> WorkerMessage {
        switch event {
        case .stageStarted(let s):
            var m = WorkerMessage(.stage)
            m.stage = s.rawValue
            return m
        case .stageFinished(let s, let seconds):
            var m = WorkerMessage(.stageDone)
            m.stage = s.rawValue
            m.seconds = seconds
            return m
        case .windows(let done, let total):
            var m = WorkerMessage(.progress)
            m.stage = JobStage.inference.rawValue
            m.done = done
            m.total = total
            return m
        }
    }

    /// Every regular file under the input folders (symbolic links are not followed).
    static func files(in folders: [String]) throws(JobError) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for folder in folders {
            guard let walker = fm.enumerator(atPath: folder) else { continue }
            while let name = walker.nextObject() as? String {
                let path = (folder as NSString).appendingPathComponent(name)
                var st = stat()
                guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                // segd's own bookkeeping files in a spool folder are dotfiles.
                if (name as NSString).lastPathComponent.hasPrefix(".") { continue }
                out.append(path)
            }
        }
        guard !out.isEmpty else { throw JobError(.noSeries, "the job's input folders hold no files") }
        return out.sorted()
    }
}
