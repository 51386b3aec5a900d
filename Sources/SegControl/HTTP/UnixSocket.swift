#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Thin, blocking helpers over a Unix stream socket fd: address building, connect, and reads and writes bounded
/// by a deadline (so a silent peer cannot hold a thread forever).
public enum UnixSocket {
    /// Builds a `sockaddr_un`; paths longer than the kernel's 107 bytes are refused.
    public static func address(_ path: String) throws(ControlError) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw ControlError(.badRequest, "socket path must be 1...\(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return addr
    }

    /// A new `AF_UNIX` stream socket (close-on-exec).
    public static func makeSocket() throws(ControlError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ioError("socket", errno) }
        return fd
    }

    /// Connects to a socket path; returns the fd or the raw errno of `connect`.
    public static func connect(path: String) throws(ControlError) -> Result<Int32, POSIXError> {
        var addr = try address(path)
        let fd = try makeSocket()
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc == 0 { return .success(fd) }
        let e = errno
        close(fd)
        return .failure(POSIXError(POSIXErrorCode(rawValue: e) ?? .EIO))
    }

    /// What one bounded read gave.
    public enum ReadResult: Equatable {
        case data([UInt8])
        case endOfFile
        case timedOut
    }

    /// Waits until the fd is readable or the deadline passes, then reads up to `max` bytes.
    public static func read(_ fd: Int32, max: Int = 16 * 1024, deadline: ContinuousClock.Instant) throws(ControlError)
        -> ReadResult
    {
        while true {
            guard try wait(fd, events: Int16(POLLIN), deadline: deadline) else { return .timedOut }
            var buffer = [UInt8](repeating: 0, count: max)
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, max, 0) }
            if n > 0 { return .data(Array(buffer[0..<n])) }
            if n == 0 { return .endOfFile }
            let e = errno
            if e == EINTR || e == EAGAIN { continue }
            if e == ECONNRESET { return .endOfFile }
            throw ioError("read", e)
        }
    }

    /// Writes everything before the deadline (no SIGPIPE on a closed peer).
    public static func writeAll(_ fd: Int32, _ data: Data, deadline: ContinuousClock.Instant) throws(ControlError) {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            guard try wait(fd, events: Int16(POLLOUT), deadline: deadline) else {
                throw ControlError(.timeout, "the peer stopped reading")
            }
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { offset += n; continue }
            let e = errno
            if e == EINTR || e == EAGAIN { continue }
            throw ioError("write", e)
        }
    }

    /// poll(2) until an event or the deadline; false on timeout.
    static func wait(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant) throws(ControlError) -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return false }
            let ms = Int32(clamping: remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, ms)
            if rc > 0 { return true }
            if rc == 0 { continue }
            let e = errno
            if e == EINTR { continue }
            throw ioError("poll", e)
        }
    }

    static func ioError(_ what: String, _ e: Int32) -> ControlError {
        ControlError(.io, "\(what) on the control socket failed: \(String(cString: strerror(e)))")
    }
}
