#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import Foundation
import SegControl

extension ControlServer {
    /// The listening socket: systemd's when socket-activated, else a new one at `options.socketPath`.
    /// Returns the fd and whether we created the socket file.
    func openListener() throws(ControlError) -> (Int32, Bool) {
        if options.socketActivation, let fd = Self.activatedSocket() { return (fd, false) }
        let path = options.socketPath
        try removeStaleSocket(path)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            mkdir(folder, 0o755)
        }
        var addr = try UnixSocket.address(path)
        let fd = try UnixSocket.makeSocket()
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            throw ControlError(.internal, "cannot listen on \(path): \(String(cString: strerror(e))) "
                + "(check that its folder exists and is writable by segd)")
        }
        applyOwnership(path)
        return (fd, true)
    }

    /// A stale socket file (nothing listening) is removed; a live one means another segd runs; a non-socket
    /// file is never removed.
    private func removeStaleSocket(_ path: String) throws(ControlError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlError(.refused, "\(path) exists and is not a socket; remove it or set control.socket")
        }
        if case .success(let fd) = try UnixSocket.connect(path: path) {
            close(fd)
            throw ControlError(.refused, "another process (a running segd?) already listens on \(path)")
        }
        unlink(path)
        logger.info("stale control socket removed", metadata: ["path": "\(path)"])
    }

    /// Mode and group from the options; a missing group or a failed chown is a warning, not an error.
    private func applyOwnership(_ path: String) {
        if chmod(path, mode_t(options.mode)) != 0 {
            logger.warning("cannot set the control socket mode", metadata: ["path": "\(path)",
                                                                              "mode": "\(String(options.mode, radix: 8))"])
        }
        guard let gid = UserDatabase.groupID(options.group) else {
            logger.warning("control socket group does not exist; socket keeps segd's group",
                           metadata: ["group": "\(options.group)"])
            return
        }
        if chown(path, uid_t.max, gid) != 0 {
            logger.warning("cannot set the control socket group", metadata: ["group": "\(options.group)",
                                                                               "error": "\(String(cString: strerror(errno)))"])
        }
    }

    /// The first listening Unix stream socket systemd passed, if any.
    static func activatedSocket() -> Int32? {
        let n = sd_listen_fds(1)
        guard n > 0 else { return nil }
        for fd in SD_LISTEN_FDS_START..<(SD_LISTEN_FDS_START + n)
        where sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            return fd
        }
        return nil
    }
}
