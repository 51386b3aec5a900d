#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Logging
import SegControl
@testable import SegDaemon

/// A control server on a fresh temporary socket, with an in-memory backend.
struct TestServer {
    let server: ControlServer
    let backend: InMemoryBackend
    let folder: String
    var socketPath: String { folder + "/c.sock" }
    var auditPath: String { folder + "/audit.log" }
    var client: ControlClient { ControlClient(socketPath: socketPath, timeout: 10) }

    /// - Parameters:
    ///   - peer: pretend every peer is this identity (nil: the real SO_PEERCRED).
    ///   - daemonUID: the uid the policy treats as segd's own.
    init(peer: PeerIdentity? = nil, daemonUID: uid_t = getuid(), adminGID: gid_t? = nil, mode: Int = 0o660,
         configure: (inout ControlServer.Options) -> Void = { _ in }) throws {
        folder = "/tmp/segdctl-" + UUID().uuidString.prefix(8)
        mkdir(folder, 0o755)
        chmod(folder, 0o755)
        backend = InMemoryBackend()
        var options = ControlServer.Options(socketPath: folder + "/c.sock", mode: mode, group: "segd-test-nonexistent",
                                            auditLogPath: folder + "/audit.log")
        options.socketActivation = false
        configure(&options)
        let policy = AdminPolicy(daemonUID: daemonUID, adminGroup: "segd-admin", adminGroupID: { adminGID },
                                 groupsOfUser: { _ in [] })
        let identify: @Sendable (Int32) throws(ControlError) -> PeerIdentity = { fd throws(ControlError) in
            if let peer { return peer }
            return try PeerIdentity.of(socket: fd)
        }
        server = try ControlServer(options: options, backend: backend, policy: policy,
                                   logger: Logger(label: "test.control"), identify: identify)
        try server.start()
    }

    func stop() {
        server.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func auditLines() throws -> [AuditEntry] {
        let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try ControlJSON.decoder().decode(AuditEntry.self, from: Data($0.utf8)) }
    }

    /// Sends raw bytes on a new connection and returns everything the server sends back before closing.
    func rawExchange(_ bytes: [UInt8], readTimeout: Duration = .seconds(5)) throws -> String {
        guard case .success(let fd) = try UnixSocket.connect(path: socketPath) else { throw ControlError(.io, "connect") }
        defer { close(fd) }
        // The server may answer and close before reading everything (e.g. a refused connection).
        try? UnixSocket.writeAll(fd, Data(bytes), deadline: .now + .seconds(5))
        var out: [UInt8] = []
        let deadline = ContinuousClock.now + readTimeout
        while case .data(let chunk) = try UnixSocket.read(fd, deadline: deadline) { out += chunk }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Runs blocking test code (the synchronous `ControlClient`, a child process) on a private dispatch queue instead
/// of a thread of the Swift concurrency pool, which the server's async dispatch needs (2 cores: 2 pool threads).
/// It stays in the test's task (a task executor preference), so expectations are attributed to the test.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(BlockingExecutor()) { try body() }
}

final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "segd.test.blocking")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
