#if canImport(Glibc)
import Glibc
#endif
import SegControl

/// Who is on the other end of a control connection, from the kernel (SO_PEERCRED).
public struct PeerIdentity: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var uid: uid_t
    public var gid: gid_t

    public init(pid: Int32, uid: uid_t, gid: gid_t) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "uid \(uid) pid \(pid)" }

    /// `struct ucred` of <sys/socket.h> (not imported by Glibc without _GNU_SOURCE).
    private struct UCred {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The credentials of a connected Unix socket's peer.
    public static func of(socket fd: Int32) throws(ControlError) -> PeerIdentity {
        var cred = UCred()
        var size = socklen_t(MemoryLayout<UCred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0, size == MemoryLayout<UCred>.size else {
            throw ControlError(.internal, "cannot read the peer's credentials (SO_PEERCRED)")
        }
        return PeerIdentity(pid: cred.pid, uid: cred.uid, gid: cred.gid)
    }
}
