import Foundation

/// Writing outputs so that no reader ever sees a partial file: write a temporary name in the same folder,
/// fsync it, rename it over the final name, fsync the folder.
public enum AtomicOutput {
    /// The suffix of temporary outputs; the daemon removes leftovers with it after a crash.
    public static let temporarySuffix = ".segd-tmp"

    /// `<final>.segd-tmp`, in the same folder (so the rename cannot cross file systems).
    public static func temporaryPath(for final: String) -> String { final + temporarySuffix }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws(JobError) {
        let temporary = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw JobError(.output, "cannot write \(temporary): \(error.localizedDescription)")
        }
        try commit(temporary, to: path)
    }

    /// Makes a finished temporary file durable and visible under its final name.
    public static func commit(_ temporary: String, to final: String) throws(JobError) {
        try fsync(path: temporary, flags: O_RDONLY)
        guard rename(temporary, final) == 0 else {
            let e = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw JobError(.output, "cannot rename \(temporary) to \(final): \(String(cString: strerror(e)))")
        }
        try fsync(path: (final as NSString).deletingLastPathComponent, flags: O_RDONLY | O_DIRECTORY)
    }

    static func fsync(path: String, flags: Int32) throws(JobError) {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else {
            throw JobError(.output, "cannot open \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else {
            throw JobError(.output, "cannot sync \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }
}
