/// The one error type of the SegDaemon module: a stable code plus a message that says what to do.
///
/// Configuration errors carry every problem found (`diagnostics`), each pointing at a line and a key, so that
/// `segd check-config` can list them all at once.
public struct DaemonError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The configuration file cannot be read (missing, unreadable, not UTF-8).
        public static let configUnreadable = Code(rawValue: "config-unreadable")
        /// The configuration file has syntax or validation errors; see `diagnostics`.
        public static let invalidConfig = Code(rawValue: "invalid-config")
        /// The state folder or the job store cannot be used (permissions, read-only, corrupt, locked).
        public static let stateUnusable = Code(rawValue: "state-unusable")
        /// A job store operation failed at run time (disk full, locked by another process).
        public static let storeFailed = Code(rawValue: "store-failed")
        /// No job has the given id.
        public static let jobNotFound = Code(rawValue: "job-not-found")
        /// A folder the daemon needs (watch, spool, output, quarantine) cannot be used.
        public static let folderUnusable = Code(rawValue: "folder-unusable")
        /// The worker process could not be started or spoke out of turn.
        public static let worker = Code(rawValue: "worker")
        /// Start-up failed (signals, sockets, inotify).
        public static let startup = Code(rawValue: "startup")
    }

    public var code: Code
    public var message: String
    /// For `.invalidConfig`: every problem, in file order.
    public var diagnostics: [ConfigDiagnostic]

    public init(_ code: Code, _ message: String, diagnostics: [ConfigDiagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    public var description: String { "\(message) [\(code)]" }
}

/// One problem in a configuration file: where it is, which key, and what to do about it.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line; 0 when the problem is not tied to a line (e.g. a required table is missing).
    public var line: Int
    /// 1-based column, when it helps (syntax errors).
    public var column: Int?
    /// The dotted key path, e.g. `processing.workers` or `watch[2].quietSeconds` (arrays count from 1).
    public var key: String
    public var message: String

    public init(line: Int, column: Int? = nil, key: String, message: String) {
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `LINE[:COLUMN]: key: message` (prefix it with the file path for `PATH:LINE: ...`).
    public var description: String {
        let position = column.map { "\(line):\($0)" } ?? "\(line)"
        return key.isEmpty ? "\(position): \(message)" : "\(position): \(key): \(message)"
    }

    /// `PATH:LINE: key: message`, the format of `segd check-config`.
    public func formatted(path: String) -> String { "\(path):\(description)" }
}
