import SegControl
@testable import SegDaemon
import Testing

@Suite("Control authorisation decisions")
struct AdminPolicyTests {
    func decide(_ access: ControlRoute.Access, uid: UInt32, gid: UInt32 = 100, adminGID: UInt32? = 500,
                groups: [UInt32] = []) -> AdminPolicy.Decision {
        AdminPolicy.decide(access, peer: PeerIdentity(pid: 1, uid: uid, gid: gid), command: "cancel", daemonUID: 998,
                           adminGroup: "segd-admin", adminGroupID: adminGID, peerGroups: { groups })
    }

    @Test func anyoneMayRead() {
        #expect(decide(.read, uid: 1234) == .allowed)
        #expect(decide(.read, uid: 1234, adminGID: nil) == .allowed)
    }

    @Test func rootDaemonUserAndAdminGroupMayMutate() {
        #expect(decide(.admin, uid: 0) == .allowed)
        #expect(decide(.admin, uid: 998) == .allowed)
        #expect(decide(.admin, uid: 1234, gid: 500) == .allowed)
        #expect(decide(.admin, uid: 1234, groups: [100, 500]) == .allowed)
    }

    @Test func othersMayNot() {
        guard case .denied(let e) = decide(.admin, uid: 1234, groups: [100, 501]) else {
            Issue.record("allowed"); return
        }
        #expect(e.code == .forbidden && e.message.contains("uid 1234") && e.message.contains("segd-admin"))
        guard case .denied(let e2) = decide(.admin, uid: 1234, adminGID: nil) else { Issue.record("allowed"); return }
        #expect(e2.message.contains("does not exist"))
    }

    @Test func routesNeedTheRightAccess() throws {
        let reads: [ControlRoute] = [.status, .version, .jobs, .job("j-1"), .preview("j-1"), .models, .plugins, .metrics]
        let writes: [ControlRoute] = [.submit, .cancel("j-1"), .retry("j-1"), .pause, .resume, .reload, .rulesTest]
        #expect(reads.allSatisfy { $0.access == .read })
        #expect(writes.allSatisfy { $0.access == .admin })
    }
}
