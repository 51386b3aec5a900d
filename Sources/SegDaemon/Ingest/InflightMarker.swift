import Foundation

/// Remembers, in a small file under the state folder, which drop-folder file the daemon is reading a header of
/// right now. Header parsing (DCMTK) runs in the daemon itself; if a hostile file ever crashed it, the next
/// start finds the marker and quarantines that file without reading it again, instead of crashing in a loop.
public final class InflightMarker: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private let fd: Int32

    public init(stateDirectory: String) throws(DaemonError) {
        path = (stateDirectory as NSString).appendingPathComponent("ingest-inflight")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DaemonError(.stateUnusable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// The file whose header was being read when the previous run ended abnormally, if any.
    public func leftOver() -> String? {
        lock.withLock {
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            return String(decoding: bytes.prefix(n), as: UTF8.self)
        }
    }

    /// Marks `file` as being read (nil: nothing is).
    public func set(_ file: String?) {
        lock.withLock {
            _ = ftruncate(fd, 0)
            guard let file else { return }
            let bytes = Array(file.utf8)
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
    }
}
