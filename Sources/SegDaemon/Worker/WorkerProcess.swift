import Foundation

/// A running `segd worker`, seen from the daemon: commands go to its stdin, messages come from its stdout, and
/// the last lines of its stderr are kept for the failure report.
public final class WorkerProcess: @unchecked Sendable {
    /// What the worker did: a message, or its end.
    public enum Event: Sendable {
        case message(WorkerMessage)
        /// Exited normally with a status, or was killed by a signal.
        case exited(status: Int32, signal: Int32?, stderrTail: String)
    }

    public let events: AsyncStream<Event>
    private let process: Process
    private let stdin: FileHandle
    private let lock = NSLock()
    private var stderrTail = Data()
    public var pid: Int32 { process.processIdentifier }

    /// A command written to a worker that has just exited must fail with EPIPE, not end the daemon with SIGPIPE
    /// (the default action). SIGPIPE is therefore ignored process-wide, once, before the first worker starts.
    static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Starts `executable worker --spec SPEC`.
    public init(executable: String, specPath: String, environment: [String: String]? = nil) throws(DaemonError) {
        _ = Self.brokenPipesIgnored
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["worker", "--spec", specPath]
        // A crashing worker must end at once: the Swift runtime's backtracer can take a long time on a crash.
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        self.events = stream
        self.process = process
        self.stdin = input.fileHandleForWriting
        do {
            try process.run()
        } catch {
            throw DaemonError(.worker, "cannot start the worker \(executable): \(SpawnFailure.describe(error)); check the installation")
        }
        let reader = output.fileHandleForReading
        let errReader = errors.fileHandleForReading
        let stderrDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            while true {
                let chunk = errReader.availableData
                if chunk.isEmpty { break }
                lock.withLock {
                    stderrTail.append(chunk)
                    if stderrTail.count > 8192 { stderrTail.removeFirst(stderrTail.count - 8192) }
                }
            }
            stderrDone.signal()
        }
        Thread.detachNewThread { [self] in
            let decoder = JSONDecoder()
            var buffer = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    if let message = try? decoder.decode(WorkerMessage.self, from: line) {
                        continuation.yield(.message(message))
                    }
                }
            }
            process.waitUntilExit()
            stderrDone.wait()
            let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
            let tail = lock.withLock { String(decoding: stderrTail, as: UTF8.self) }
            continuation.yield(.exited(status: signal == nil ? process.terminationStatus : -1, signal: signal,
                                       stderrTail: tail))
            continuation.finish()
        }
    }

    /// Sends one command line; a worker that already ended is ignored.
    public func send(_ command: WorkerCommand) {
        guard var data = try? JSONEncoder().encode(command) else { return }
        data.append(UInt8(ascii: "\n"))
        try? stdin.write(contentsOf: data)
    }

    /// Ends the worker at once (timeout, cancel, shutdown).
    public func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}
