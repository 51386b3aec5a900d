import DICOM
import Foundation
import SegControl
import SegdCore
import Synchronization

/// What `segctl rules test` needs of a folder: the routing facts of each series in it and why others were
/// skipped. The daemon never reads DICOM itself for this: `inChild` runs the scan in a child process
/// (`segd scan-folder`), so a file that crashes DCMTK or a folder that takes forever ends the child, not the
/// daemon, and the operator gets an error that says so.
public struct FolderScan: Codable, Sendable, Equatable {
    public struct Series: Codable, Sendable, Equatable {
        public var seriesHash: String
        public var description: String?
        public var modality: String
        public var slices: Int
        public var facts: [String: String]
    }

    public var series: [Series]
    public var skipped: [String]

    /// Scans `path` in this process (the child's side).
    public static func scan(path: String) throws(DICOMError) -> FolderScan {
        let result = try DICOMScanner.scan(directory: path)
        let series = result.acceptedStacks.map { stack in
            Series(seriesHash: UIDHash.short(stack.seriesInstanceUID), description: stack.attributes["SeriesDescription"],
                   modality: stack.modality, slices: stack.sliceCount, facts: SeriesFacts(stack: stack).values)
        }
        let skipped = result.series.filter { !$0.reasons.isEmpty }
            .flatMap { r in r.reasons.map { "\(r.modality) \(r.seriesDescription): \($0)" } }
        return FolderScan(series: series, skipped: skipped)
    }

    /// Runs `executable scan-folder --path PATH --max-header-bytes N` and decodes what it prints. Blocks: call it
    /// off the concurrency pool. A crash, a timeout or a scan error is a ControlError naming it.
    public static func inChild(executable: String, path: String, maxHeaderBytes: Int,
                               timeout: TimeInterval = 300) throws(ControlError) -> FolderScan {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["scan-folder", "--path", path, "--max-header-bytes", String(maxHeaderBytes)]
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw ControlError(.internal, "cannot start the folder scanner \(executable): \(SpawnFailure.describe(error))")
        }
        let timedOut = Atomic<Bool>(false)
        let pid = p.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if p.isRunning {
                timedOut.store(true, ordering: .relaxed)
                kill(pid, SIGKILL)
            }
        }
        // stderr is drained on its own thread so a chatty child never blocks on a full pipe.
        let errText = Mutex(Data())
        let errDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errText.withLock { $0 = data }
            errDone.signal()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        errDone.wait()
        let stderr = errText.withLock { String(decoding: $0.suffix(2000), as: UTF8.self) }
            .split(separator: "\n").last.map(String.init) ?? ""
        if timedOut.load(ordering: .relaxed) {
            throw ControlError(.refused, "scanning \(path) took longer than \(Int(timeout)) s and was stopped; try a smaller folder")
        }
        if p.terminationReason == .uncaughtSignal {
            throw ControlError(.refused, "scanning \(path) crashed (signal \(p.terminationStatus)) on a file DCMTK cannot read; segd itself is unaffected; drop the folder to have its files quarantined with reasons")
        }
        guard p.terminationStatus == 0 else {
            throw ControlError(.badRequest, stderr.isEmpty ? "cannot scan \(path) (scanner exit \(p.terminationStatus))" : stderr)
        }
        do { return try JSONDecoder().decode(FolderScan.self, from: data) } catch {
            throw ControlError(.internal, "the folder scanner's output is not readable: \(error)")
        }
    }
}
