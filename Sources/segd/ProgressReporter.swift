import Foundation
import SegdCore

/// Writes job progress to standard error: a redrawn bar on a terminal, plain lines otherwise.
final class ProgressReporter: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private var lastPercent = -1

    init(interactive: Bool) { self.interactive = interactive }

    func report(_ event: JobProgress) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .stageStarted(let stage):
            if !interactive { write("\(stage.rawValue): started\n") }
        case .stageFinished(let stage, let seconds):
            if interactive && stage == .inference { write("\n") }
            write(String(format: "%@: %.2f s\n", stage.rawValue, seconds))
        case .windows(let done, let total):
            let percent = total == 0 ? 100 : done * 100 / total
            if interactive {
                let width = 30, filled = width * percent / 100
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                write("\rinference: [\(bar)] \(done)/\(total) windows \(percent)%")
            } else if percent / 10 != lastPercent / 10 || done == total {
                write("inference: \(done)/\(total) windows (\(percent)%)\n")
            }
            lastPercent = percent
        }
    }

    func finish() {}

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}

/// The human summary of a job.
enum SummaryPrinter {
    static func print(_ s: JobSummary) {
        Swift.print("series:  \(s.series.modality) \(s.series.size.map(String.init).joined(separator: "x"))")
        Swift.print("model:   \(s.model) \(s.modelVersion), \(s.windows) windows, \(s.segFrames) SEG frames")
        let order = JobStage.allCases.map(\.rawValue)
        let stages = order.compactMap { k in s.stageSeconds[k].map { String(format: "%@ %.2f s", k, $0) } }
        Swift.print("stages:  \(stages.joined(separator: ", "))")
        for l in s.labels {
            Swift.print("  label \(l.label) \(l.name): \(l.voxels) voxels\(l.empty ? " (empty)" : "")")
        }
        for (kind, path) in s.outputs.sorted(by: { $0.key < $1.key }) { Swift.print("\(kind): \(path)") }
    }
}
