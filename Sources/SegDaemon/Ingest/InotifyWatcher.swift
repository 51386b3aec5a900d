import Foundation

/// Recursive inotify on a set of folders. Reports a file once it is closed after writing (`IN_CLOSE_WRITE`) or
/// moved in (`IN_MOVED_TO`), and new sub-folders (which it then watches too; the caller scans them, since
/// files may have landed before the watch was added). Reads on its own thread; `stop()` ends it.
public final class InotifyWatcher: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        case file(path: String, root: String)
        case folder(path: String, root: String)
        /// The kernel queue overflowed: events were lost, rescan everything.
        case overflow
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let fd: Int32
    private let lock = NSLock()
    private var folders: [Int32: (path: String, root: String)] = [:]
    private var stopped = false

    public init() throws(DaemonError) {
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else {
            throw DaemonError(.startup, "inotify is not available: \(String(cString: strerror(errno))); raise fs.inotify.max_user_instances")
        }
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        Thread.detachNewThread { [self] in readLoop() }
    }

    /// Watches `folder` and every folder below it (symbolic links are not followed).
    public func watch(_ folder: String, root: String) throws(DaemonError) {
        try add(folder, root: root)
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: folder) else { return }
        while let name = walker.nextObject() as? String {
            let path = (folder as NSString).appendingPathComponent(name)
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { try? add(path, root: root) }
        }
    }

    private func add(_ folder: String, root: String) throws(DaemonError) {
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
        let wd = inotify_add_watch(fd, folder, mask)
        guard wd >= 0 else {
            let e = errno
            let hint = e == ENOSPC ? "; raise fs.inotify.max_user_watches" : ""
            throw DaemonError(.startup, "cannot watch \(folder): \(String(cString: strerror(e)))\(hint)")
        }
        lock.withLock { folders[wd] = (folder, root) }
    }

    public func stop() {
        lock.withLock { stopped = true }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !lock.withLock({ stopped }) {
            let ready = poll(&pfd, 1, 250)
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { continue }
            parse(buffer, count: n)
        }
        close(fd)
        continuation.finish()
    }

    private func parse(_ buffer: [UInt8], count: Int) {
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                return (e.wd, e.mask, Int(e.len))
            }
            let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix { $0 != 0 }
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { continuation.yield(.overflow); continue }
            guard let dir = lock.withLock({ folders[wd] }), !nameBytes.isEmpty else { continue }
            // A name that is not UTF-8 is renamed to a safe one; the rename comes back as IN_MOVED_TO.
            guard let name = DropFolder.usableName(Array(nameBytes), in: dir.path) else { continue }
            let path = (dir.path as NSString).appendingPathComponent(name)
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    try? watch(path, root: dir.root)
                    continuation.yield(.folder(path: path, root: dir.root))
                }
            } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                continuation.yield(.file(path: path, root: dir.root))
            }
        }
    }
}
