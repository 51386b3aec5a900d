import DICOM
import Foundation

/// `segd worker --spec SPEC`: reads the spec, guards against outliving the daemon, runs the attempt with
/// messages on stdout and commands on stdin. Returns the exit status.
public enum WorkerMain {
    public static func run(specPath: String) -> Int32 {
        let spec: WorkerSpec
        do {
            spec = try JSONDecoder().decode(WorkerSpec.self, from: Data(contentsOf: URL(fileURLWithPath: specPath)))
        } catch {
            FileHandle.standardError.write(Data("segd worker: cannot read the spec \(specPath): \(error)\n".utf8))
            return WorkerExit.badSpec
        }
        watchParent(spec.parentPID)
        if let bytes = spec.maxHeaderBytes { DICOMScanner.headerLimit = bytes }
        let out = FileHandle.standardOutput
        let lock = NSLock()
        let encoder = JSONEncoder()
        let emit: @Sendable (WorkerMessage) -> Void = { message in
            guard var data = try? encoder.encode(message) else { return }
            data.append(UInt8(ascii: "\n"))
            lock.withLock { try? out.write(contentsOf: data) }
        }
        let runner = WorkerRunner(spec: spec, emit: emit, next: { readCommand() })
        return runner.run()
    }

    /// The next command line from stdin (nil at end of input or on garbage).
    static func readCommand() -> WorkerCommand? {
        guard let line = readLine(strippingNewline: true) else { return nil }
        return try? JSONDecoder().decode(WorkerCommand.self, from: Data(line.utf8))
    }

    /// A worker must never outlive the daemon that started it (a restarted daemon re-runs the job; two writers of
    /// one output must not exist). Polls the parent; PR_SET_PDEATHSIG alone is tied to the spawning thread.
    static func watchParent(_ parent: Int32) {
        guard parent > 0 else { return }
        if getppid() != parent { exit(WorkerExit.stopped) }
        Thread.detachNewThread {
            while true {
                usleep(200_000)
                if getppid() != parent { _exit(WorkerExit.stopped) }
            }
        }
    }
}
