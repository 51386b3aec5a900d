#if canImport(Glibc)
import Glibc
#endif
import SegControl

/// Who may run mutating commands: root, the daemon's own user, and members of the admin group (primary or
/// supplementary, per the group database). Reading commands are open to anyone who can connect.
///
/// The look-ups are injectable so the decisions can be tested without root.
public struct AdminPolicy: Sendable {
    public var daemonUID: uid_t
    public var adminGroup: String
    /// The admin group's gid, looked up at each decision (the group may be created while segd runs).
    public var adminGroupID: @Sendable () -> gid_t?
    /// A user's groups (primary + supplementary).
    public var groupsOfUser: @Sendable (uid_t) -> [gid_t]

    public init(daemonUID: uid_t, adminGroup: String, adminGroupID: @escaping @Sendable () -> gid_t?,
                groupsOfUser: @escaping @Sendable (uid_t) -> [gid_t]) {
        self.daemonUID = daemonUID
        self.adminGroup = adminGroup
        self.adminGroupID = adminGroupID
        self.groupsOfUser = groupsOfUser
    }

    /// The policy of a running daemon: its own uid, and the system's group database.
    public static func system(adminGroup: String) -> AdminPolicy {
        AdminPolicy(daemonUID: getuid(), adminGroup: adminGroup,
                    adminGroupID: { UserDatabase.groupID(adminGroup) },
                    groupsOfUser: { UserDatabase.groups(ofUser: $0) })
    }

    /// The decision for one request.
    public func decide(_ access: ControlRoute.Access, peer: PeerIdentity, command: String) -> Decision {
        Self.decide(access, peer: peer, command: command, daemonUID: daemonUID, adminGroup: adminGroup,
                    adminGroupID: adminGroupID(), peerGroups: { groupsOfUser(peer.uid) })
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        case denied(ControlError)
    }

    /// The pure rule. `peerGroups` is only asked when needed (it may hit NSS).
    public static func decide(_ access: ControlRoute.Access, peer: PeerIdentity, command: String, daemonUID: uid_t,
                              adminGroup: String, adminGroupID: gid_t?, peerGroups: () -> [gid_t]) -> Decision {
        if access == .read || peer.uid == 0 || peer.uid == daemonUID { return .allowed }
        if let gid = adminGroupID, peer.gid == gid || peerGroups().contains(gid) { return .allowed }
        let why = adminGroupID == nil ? "(group \(adminGroup) does not exist on this machine)"
            : "(sudo usermod -aG \(adminGroup) USER)"
        return .denied(ControlError(.forbidden, "\(command) changes segd: it needs root, segd's own user or "
            + "membership of group \(adminGroup) \(why); you are uid \(peer.uid)"))
    }
}
