import Foundation

/// segd's own folders (spool, quarantine, archive) and the file moves between them and the drop folders.
///
/// Every move is a rename when source and target share a file system; otherwise the file is copied to a
/// temporary name, fsynced, renamed into place, and only then the source is removed. No step removes a file
/// before its copy is durable.
public struct Spool: Sendable {
    public var spool: String
    public var quarantine: String
    public var archive: String

    public init(spool: String, quarantine: String, archive: String) {
        self.spool = spool
        self.quarantine = quarantine
        self.archive = archive
    }

    public init(_ paths: SegdConfiguration.Paths) {
        self.init(spool: paths.spool, quarantine: paths.quarantine, archive: paths.archive)
    }

    public func jobFolder(_ id: String) -> String { (spool as NSString).appendingPathComponent(id) }
    public func quarantineFolder(_ id: String) -> String { (quarantine as NSString).appendingPathComponent(id) }
    public func archiveFolder(_ id: String) -> String { (archive as NSString).appendingPathComponent(id) }

    /// Creates the three folders; a folder that cannot be made or written is a clear error.
    public func prepare() throws(DaemonError) {
        for (name, dir) in [("paths.spool", spool), ("paths.quarantine", quarantine), ("paths.archive", archive)] {
            try Self.makeWritableFolder(dir, key: name)
        }
    }

    static func makeWritableFolder(_ dir: String, key: String) throws(DaemonError) {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw DaemonError(.folderUnusable, "cannot create \(dir) (\(key)): \(error.localizedDescription); create it and give segd's user write access")
        }
        guard access(dir, W_OK | X_OK) == 0 else {
            throw DaemonError(.folderUnusable, "\(dir) (\(key)) is not writable by segd; fix its owner or permissions")
        }
    }

    /// Files directly in a job folder that are input (not segd's dotfiles), sorted.
    public static func inputFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Moves one file to `target` (a full path), durably. Fails with the errno text.
    public static func move(_ source: String, to target: String) throws(DaemonError) {
        if rename(source, target) == 0 { return }
        let e = errno
        guard e == EXDEV else {
            throw DaemonError(.folderUnusable, "cannot move \(source) to \(target): \(String(cString: strerror(e)))")
        }
        let temporary = target + ".segd-part"
        do {
            if FileManager.default.fileExists(atPath: temporary) { try FileManager.default.removeItem(atPath: temporary) }
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DaemonError(.folderUnusable, "cannot copy \(source) to \(target): \(error.localizedDescription)")
        }
        try sync(temporary)
        guard rename(temporary, target) == 0 else {
            let e = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw DaemonError(.folderUnusable, "cannot rename \(temporary): \(String(cString: strerror(e)))")
        }
        unlink(source)
    }

    /// Moves a whole folder (rename, or file by file across file systems).
    public static func moveFolder(_ source: String, to target: String) throws(DaemonError) {
        let parent = (target as NSString).deletingLastPathComponent
        try makeWritableFolder(parent, key: "target")
        if rename(source, target) == 0 { return }
        let e = errno
        guard e == EXDEV else {
            throw DaemonError(.folderUnusable, "cannot move \(source) to \(target): \(String(cString: strerror(e)))")
        }
        try makeWritableFolder(target, key: "target")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] {
            try move((source as NSString).appendingPathComponent(name), to: (target as NSString).appendingPathComponent(name))
        }
        rmdir(source)
    }

    /// Writes a small text file durably (reason.txt, job records).
    public static func writeText(_ text: String, to path: String) throws(DaemonError) {
        let temporary = path + ".segd-part"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw DaemonError(.folderUnusable, "cannot write \(path): \(error.localizedDescription)")
        }
        try sync(temporary)
        guard rename(temporary, path) == 0 else {
            throw DaemonError(.folderUnusable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func sync(_ path: String) throws(DaemonError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DaemonError(.folderUnusable, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw DaemonError(.folderUnusable, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }
}
