/// The one error type of the control protocol, on both ends: a stable code plus a message that says what to do.
///
/// On the wire an error is a non-2xx response whose body is `ControlErrorBody` (`{"code": ..., "message": ...}`).
public struct ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Returned by the daemon.
        /// The request is malformed (bad JSON, bad query, bad id, bad HTTP). 400.
        public static let badRequest = Code("bad-request")
        /// No such job, model or file. 404.
        public static let notFound = Code("not-found")
        /// No such endpoint: an unknown command. 404.
        public static let unknownCommand = Code("unknown-command")
        /// The endpoint exists but not with this method. 405.
        public static let methodNotAllowed = Code("method-not-allowed")
        /// The peer may not run this command (mutating commands need an admin). 403.
        public static let forbidden = Code("forbidden")
        /// The command is valid but cannot be done now (cancel a finished job, submit outside the roots). 409.
        public static let refused = Code("refused")
        /// The request did not arrive completely in time. 408.
        public static let timeout = Code("timeout")
        /// Request body over the size limit. 413.
        public static let payloadTooLarge = Code("payload-too-large")
        /// Request line and headers over the size limit. 431.
        public static let headersTooLarge = Code("headers-too-large")
        /// A body without `Content-Length` (e.g. chunked). 411.
        public static let lengthRequired = Code("length-required")
        /// The two ends speak different protocol versions. 400.
        public static let versionMismatch = Code("version-mismatch")
        /// The daemon is starting, stopping or overloaded. 503.
        public static let unavailable = Code("unavailable")
        /// A bug or an unexpected failure in the daemon. 500.
        public static let `internal` = Code("internal")

        // Raised by the client before or instead of an answer.
        /// No socket at the path: the daemon is not running, or another path is configured.
        public static let socketNotFound = Code("socket-not-found")
        /// The socket exists but nothing accepts connections on it.
        public static let daemonNotRunning = Code("daemon-not-running")
        /// The socket may not be opened by this user.
        public static let permissionDenied = Code("permission-denied")
        /// The answer is not a valid segd response.
        public static let protocolError = Code("protocol-error")
        /// Reading or writing the socket failed.
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    /// The HTTP status a daemon answers this error with.
    public var httpStatus: Int {
        switch code {
        case .badRequest, .versionMismatch: 400
        case .forbidden: 403
        case .notFound, .unknownCommand: 404
        case .methodNotAllowed: 405
        case .timeout: 408
        case .refused: 409
        case .lengthRequired: 411
        case .payloadTooLarge: 413
        case .headersTooLarge: 431
        case .unavailable: 503
        default: 500
        }
    }

    public var body: ControlErrorBody { ControlErrorBody(code: code.rawValue, message: message) }

    public init(_ body: ControlErrorBody) {
        self.init(Code(body.code), body.message)
    }

    /// The message when the two ends speak different protocol versions.
    public static func versionMismatch(client: Int, daemon: Int) -> ControlError {
        let hint = client > daemon ? "upgrade segd or use the segctl that came with it"
            : "use the segctl that came with this segd"
        return ControlError(.versionMismatch,
                            "segctl speaks control protocol \(client) but segd speaks protocol \(daemon): \(hint)")
    }
}

/// The JSON body of every error response.
public struct ControlErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
