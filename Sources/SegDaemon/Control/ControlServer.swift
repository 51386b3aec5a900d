#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SegControl
import ServiceLifecycle
import Synchronization

/// The control socket: a Unix stream socket speaking the HTTP/1.1 control protocol (`docs/control-protocol.md`).
///
/// Each connection gets its own thread (blocking reads with deadlines never touch the Swift concurrency pool),
/// up to `Options.maxConnections`; past that a connection gets `503 unavailable` at once. A request must arrive
/// completely within `requestTimeout` of its first byte (slow clients get `408` and are closed), an idle
/// keep-alive connection is closed after `idleTimeout`, and a malformed or oversized request gets its error
/// response and the connection is closed. None of this reaches the backend.
///
/// As a swift-service-lifecycle `Service`, `run()` binds (or adopts systemd's socket), serves until graceful
/// shutdown or cancellation, then closes the socket and removes the file it created.
public final class ControlServer: Service, Sendable {
    public struct Options: Sendable {
        public var socketPath: String
        /// Permission bits of the socket file.
        public var mode: Int
        /// Group of the socket file; a group that does not exist (or cannot be set) is a warning.
        public var group: String
        /// Where mutating commands are logged; nil: no audit log.
        public var auditLogPath: String?
        /// Adopt a listening socket passed by systemd (sd_listen_fds) when there is one.
        public var socketActivation = true
        public var limits = ControlLimits.request
        public var requestTimeout = Duration.seconds(10)
        public var idleTimeout = Duration.seconds(30)
        public var writeTimeout = Duration.seconds(10)
        public var maxConnections = 64
        public var maxRequestsPerConnection = 1000

        public init(socketPath: String, mode: Int = 0o660, group: String = "segd", auditLogPath: String?) {
            self.socketPath = socketPath
            self.mode = mode
            self.group = group
            self.auditLogPath = auditLogPath
        }

        /// The options of a configured daemon: `[control]` and `<paths.state>/audit.log`.
        public init(_ configuration: SegdConfiguration) {
            self.init(socketPath: configuration.control.socket, mode: configuration.control.mode,
                      group: configuration.control.group, auditLogPath: configuration.paths.state + "/audit.log")
        }
    }

    struct State {
        var listener: Int32 = -1
        /// The write end of the pipe that wakes the accept loop to stop.
        var wakeWrite: Int32 = -1
        var wakeRead: Int32 = -1
        /// True when we created the socket file (and so remove it at shutdown).
        var ownsSocketFile = false
        var socketInode: ino_t = 0
        var connections = 0
        var started = false
        var stopping = false
        var acceptThreadDone = false
    }

    public let options: Options
    let dispatcher: ControlDispatcher
    let identify: @Sendable (Int32) throws(ControlError) -> PeerIdentity
    let logger: Logger
    let state = Mutex(State())

    /// - Parameters:
    ///   - policy: who may mutate (default: root, this process's uid and `adminGroup` from the group database).
    ///   - identify: the peer of a connected socket (default: SO_PEERCRED); tests inject other identities.
    public init(options: Options, backend: any ControlBackend, policy: AdminPolicy, logger: Logger,
                identify: @escaping @Sendable (Int32) throws(ControlError) -> PeerIdentity = PeerIdentity.of(socket:))
        throws(ControlError)
    {
        self.options = options
        self.logger = logger
        self.identify = identify
        let audit = try options.auditLogPath.map { path throws(ControlError) in try AuditLog(path: path) }
        dispatcher = ControlDispatcher(backend: backend, policy: policy, audit: audit, logger: logger)
    }

    /// A server for a configured daemon: options from `configuration`, the system's admin policy.
    public convenience init(configuration: SegdConfiguration, backend: any ControlBackend, logger: Logger)
        throws(ControlError)
    {
        try self.init(options: Options(configuration), backend: backend,
                      policy: .system(adminGroup: configuration.control.adminGroup), logger: logger)
    }

    /// Serves until graceful shutdown (or cancellation), then stops and removes the socket.
    public func run() async throws {
        try start()
        try? await gracefulShutdown()
        shutdown()
    }

    /// Binds (or adopts) the socket and starts accepting on a background thread. Throws when the socket
    /// cannot be set up (another segd listening, a non-socket file in the way, no permission on the folder).
    public func start() throws(ControlError) {
        let alreadyStarted = state.withLock { s in
            defer { s.started = true }
            return s.started
        }
        guard !alreadyStarted else { return }
        let (listener, owns) = try openListener()
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            close(listener)
            throw ControlError(.internal, "cannot create the control server's wake-up pipe")
        }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let wakeRead = pipeFDs[0]
        var st = stat()
        let inode: ino_t = owns && stat(options.socketPath, &st) == 0 ? st.st_ino : 0
        state.withLock {
            $0.listener = listener
            $0.wakeRead = pipeFDs[0]
            $0.wakeWrite = pipeFDs[1]
            $0.ownsSocketFile = owns
            $0.socketInode = inode
        }
        let thread = Thread { [self] in acceptLoop(listener: listener, wake: wakeRead) }
        thread.name = "segd-control-accept"
        thread.start()
        logger.info("control socket listening", metadata: ["path": "\(options.socketPath)", "activated": "\(!owns)"])
    }

    /// Stops accepting, closes the listening socket and removes the socket file we created. Connections in
    /// flight finish their current request. Safe to call more than once.
    public func shutdown() {
        let (write, owned, inode) = state.withLock { s -> (Int32, Bool, ino_t) in
            guard s.started, !s.stopping else { return (-1, false, 0) }
            s.stopping = true
            return (s.wakeWrite, s.ownsSocketFile, s.socketInode)
        }
        guard write >= 0 else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(write, &byte, 1)
        // Wait for the accept loop to close the listener.
        while !state.withLock({ $0.acceptThreadDone }) { usleep(1000) }
        var st = stat()
        if owned, stat(options.socketPath, &st) == 0, st.st_ino == inode { unlink(options.socketPath) }
        logger.info("control socket closed", metadata: ["path": "\(options.socketPath)"])
    }

    /// Connections being served now.
    public var activeConnections: Int { state.withLock { $0.connections } }
}
