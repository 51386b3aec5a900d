#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import SegControl

/// One line of the audit log (`<paths.state>/audit.log`): who ran which mutating command on what, and how it
/// ended (`ok`, or the error code).
public struct AuditEntry: Codable, Sendable, Equatable {
    public var time: Date
    public var uid: UInt32
    public var pid: Int32
    public var command: String
    /// The job id, or the folder of a submit or rules test.
    public var target: String?
    public var result: String
    public var message: String?

    public init(time: Date, uid: UInt32, pid: Int32, command: String, target: String?, result: String,
                message: String? = nil) {
        self.time = time
        self.uid = uid
        self.pid = pid
        self.command = command
        self.target = target
        self.result = result
        self.message = message
    }
}

/// Appends one JSON line per entry (O_APPEND, created 0640). Each line is written with a single write(2).
public final class AuditLog: Sendable {
    public let path: String
    private let fd: Mutex<Int32>

    /// Opens (creating) the log; its folder must exist.
    public init(path: String) throws(ControlError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw ControlError(.internal, "cannot open the audit log \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = Mutex(fd)
    }

    deinit { _ = fd.withLock { close($0) } }

    /// Writes one entry; returns false when the write failed (the caller logs it).
    @discardableResult
    public func record(_ entry: AuditEntry) -> Bool {
        guard var line = try? ControlJSON.encode(entry) else { return false }
        line.append(0x0A)
        return fd.withLock { fd in
            line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == line.count
        }
    }
}
