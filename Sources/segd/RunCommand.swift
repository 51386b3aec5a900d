import ArgumentParser
import DICOM
import Foundation
import Logging
import SegControl
import SegDaemon

/// `segd run`: the daemon, in the foreground (as systemd runs it).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon in the foreground: watch the drop folders and segment every series that settles.",
        discussion: """
            Reads the configuration (default \(SegdConfiguration.defaultPath)), opens the job store, resumes \
            unfinished jobs, watches the folders and serves the control socket. Under systemd (Type=notify) it \
            reports READY=1, STATUS= and WATCHDOG=1 and logs to the journal with structured fields. SIGTERM stops \
            intake and lets the running job finish within processing.shutdownGraceSeconds; SIGHUP reloads the \
            configuration and the models.
            """)

    @Option(help: "The configuration file.") var config: String = SegdConfiguration.defaultPath
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel); use trace, debug, info, notice, warning, error or critical")
        }
        let journal = Systemd.stderrIsJournal
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = journal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "segd")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let daemon = Daemon(configPath: config,
                            options: .init(workerExecutable: executable, softwareVersion: SegdVersion.string),
                            logger: logger)
        do {
            try await daemon.run(extraServices: ControlWiring.services(configPath: config))
        } catch let error as DaemonError {
            logger.critical("segd cannot start", metadata: ["error": "\(error.message)", "code": "\(error.code)"])
            FileHandle.standardError.write(Data("segd: \(error.message)\n".utf8))
            for d in error.diagnostics { FileHandle.standardError.write(Data("\(d.formatted(path: config))\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

/// `segd worker --spec SPEC`: one attempt of one job, started by the daemon. Not for interactive use.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "(internal) Run one job attempt for the daemon, over stdin/stdout.",
        shouldDisplay: false)

    @Option(help: "The job spec the daemon wrote.") var spec: String

    func run() throws {
        let status = WorkerMain.run(specPath: spec)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `segd scan-folder --path P`: the DICOM scan behind `segctl rules test`, in a child of the daemon so that a
/// file that crashes DCMTK cannot take the daemon down. Prints the folder's series facts as JSON.
struct ScanFolderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-folder",
        abstract: "(internal) Print the routing facts of the series in a folder as JSON, for the daemon.",
        shouldDisplay: false)

    @Option(help: "The folder to scan.") var path: String
    @Option(help: "The header read limit in bytes (ingest.maxHeaderSize).") var maxHeaderBytes: Int?

    func run() throws {
        if let maxHeaderBytes { DICOMScanner.headerLimit = maxHeaderBytes }
        do {
            let scan = try FolderScan.scan(path: path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            FileHandle.standardOutput.write(try encoder.encode(scan))
        } catch let error as DICOMError {
            FileHandle.standardError.write(Data("cannot read \(path): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
