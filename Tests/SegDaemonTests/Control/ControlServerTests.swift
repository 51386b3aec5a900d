#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SegControl
@testable import SegDaemon
import Testing

@Suite("Control server on a real socket", .serialized)
struct ControlServerTests {
    @Test func everyEndpointThroughTheClient() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let c = t.client
            let status = try c.status()
            #expect(status.version == SegdVersion.string && status.protocolVersion == ControlProtocol.version)
            #expect(status.queue["running"] == 1 && status.running.first?.stage == "inference")
            #expect(try c.version() == VersionReport())
            #expect(try c.jobs().count == 4)
            #expect(try c.jobs(JobQuery(state: "failed")).map(\.state) == ["failed"])
            #expect(try c.jobs(JobQuery(limit: 2)).count == 2)
            #expect(try c.jobs(JobQuery(since: InMemoryBackend.t0.addingTimeInterval(90))).count == 2)
            let detail = try c.job("j-20261120-100001-abc001")
            #expect(detail.job.error?.code == "model-failed" && detail.stages.first?.seconds == 1.5)
            #expect(detail.estimatedPeakBytes == 1 << 30 && detail.routing.count == 1)
            #expect(try c.preview("j-20261120-100000-abc000") == InMemoryBackend.png)
            let submitted = try c.submit(SubmitRequest(path: "/srv/dicom/in/case1", model: "liver"))
            #expect(submitted.jobs.count == 1 && submitted.files == 3)
            #expect(try c.cancel("j-20261120-100003-abc003").state == "cancelled")
            #expect(try c.retry("j-20261120-100001-abc001").state == "queued")
            #expect(try c.pause().message == "ingest paused")
            #expect(try c.status().ingestPaused)
            #expect(try c.resume().message == "ingest resumed")
            #expect(try c.models().map(\.valid) == [true, false])
            #expect(try c.plugins().map(\.loaded) == [true, false])
            #expect(try c.reload().message.hasPrefix("configuration reloaded"))
            #expect(try c.rulesTest(path: "/srv/dicom/x").series.map(\.models) == [["liver"], []])
            #expect(try c.metrics().contains("segd_jobs{state=\"done\"} 1"))
        }
    }

    @Test func backendErrorsArriveWithTheirCodes() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            #expect(throws: ControlError(.notFound, "no job j-nope")) { try t.client.job("j-nope") }
            #expect(throws: ControlError(.refused, "job j-20261120-100000-abc000 is already done")) {
                try t.client.cancel("j-20261120-100000-abc000")
            }
            #expect(throws: ControlError(.refused, "/etc is outside the configured roots (/srv/dicom)")) {
                try t.client.submit(SubmitRequest(path: "/etc"))
            }
            let bad = try t.client.send(HTTPRequest(method: "POST", target: "/v1/jobs", body: Data("{\"model\":1}".utf8)))
            #expect(bad.status == 400)
            let relative = try t.client.send(HTTPRequest(method: "POST", target: "/v1/jobs", body: Data("{\"path\":\"in\"}".utf8)))
            #expect(relative.status == 400)
            let unknown = try t.client.send(HTTPRequest(method: "GET", target: "/v1/frobnicate"))
            #expect(unknown.status == 404 && String(decoding: unknown.body, as: UTF8.self).contains("unknown-command"))
            let query = try t.client.send(HTTPRequest(method: "GET", target: "/v1/jobs?state=sleeping"))
            #expect(query.status == 400)
        }
    }

    @Test func versionMismatchNamesBothVersions() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let future = ControlClient(socketPath: t.socketPath, timeout: 5, protocolVersion: ControlProtocol.version + 1)
            let error = #expect(throws: ControlError.self) { try future.status() }
            #expect(error?.code == .versionMismatch)
            #expect(error?.message.contains("protocol \(ControlProtocol.version + 1)") == true)
            #expect(error?.message.contains("protocol \(ControlProtocol.version)") == true)
            // The daemon itself refuses a request announcing another version, naming both.
            let raw = try t.rawExchange(Array("GET /v1/status HTTP/1.1\r\nSegd-Protocol: 9\r\n\r\n".utf8))
            #expect(raw.hasPrefix("HTTP/1.1 400") && raw.contains("version-mismatch") && raw.contains("protocol 9"))
        }
    }

    @Test func unauthorisedPeerCanReadButNotMutate() async throws {
        try await onThread {
            let peer = PeerIdentity(pid: 4242, uid: 1000, gid: 1000)
            let t = try TestServer(peer: peer, daemonUID: 999, adminGID: 5000)
            defer { t.stop() }
            #expect(try t.client.status().version == SegdVersion.string)
            let error = #expect(throws: ControlError.self) { try t.client.cancel("j-20261120-100003-abc003") }
            #expect(error?.code == .forbidden && error?.message.contains("segd-admin") == true)
            #expect(try t.client.job("j-20261120-100003-abc003").job.state == "queued")
            let audit = try t.auditLines()
            #expect(audit.map(\.command) == ["cancel"])
            #expect(audit.first?.uid == 1000 && audit.first?.pid == 4242 && audit.first?.result == "forbidden")
            #expect(audit.first?.target == "j-20261120-100003-abc003")
        }
    }

    @Test func adminGroupMemberMayMutateAndEveryMutationIsAudited() async throws {
        try await onThread {
            let t = try TestServer(peer: PeerIdentity(pid: 7, uid: 1000, gid: 5000), daemonUID: 999, adminGID: 5000)
            defer { t.stop() }
            _ = try t.client.pause()
            _ = try t.client.submit(SubmitRequest(path: "/srv/dicom/a"))
            _ = try? t.client.retry("j-20261120-100000-abc000")
            _ = try t.client.status()
            let audit = try t.auditLines()
            #expect(audit.map(\.command) == ["pause", "submit", "retry"])
            #expect(audit.map(\.result) == ["ok", "ok", "refused"])
            #expect(audit[1].target == "/srv/dicom/a")
        }
    }

    @Test func socketFileGetsModeAndIsRemovedAtShutdown() async throws {
        try await onThread {
            let t = try TestServer(mode: 0o600)
            var st = stat()
            #expect(stat(t.socketPath, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600 && st.st_mode & S_IFMT == S_IFSOCK)
            t.server.shutdown()
            #expect(access(t.socketPath, F_OK) != 0)
            try? FileManager.default.removeItem(atPath: t.folder)
        }
    }

    @Test func staleSocketIsReplacedAndALiveOneRefused() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            // A second server on the same path must refuse: the first is alive.
            var options = ControlServer.Options(socketPath: t.socketPath, auditLogPath: nil)
            options.socketActivation = false
            let second = try ControlServer(options: options, backend: t.backend, policy: .system(adminGroup: "x"),
                                           logger: .init(label: "t"))
            #expect(throws: ControlError.self) { try second.start() }
            #expect(try t.client.status().pid == getpid())
            // A stale socket file (nobody listening) is replaced.
            let stale = t.folder + "/stale.sock"
            var addr = try UnixSocket.address(stale)
            let fd = try UnixSocket.makeSocket()
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            close(fd)
            options.socketPath = stale
            let third = try ControlServer(options: options, backend: t.backend, policy: .system(adminGroup: "x"),
                                          logger: .init(label: "t"))
            try third.start()
            #expect(try ControlClient(socketPath: stale).version().protocolVersion == ControlProtocol.version)
            third.shutdown()
        }
    }

    @Test func clientErrorsNameTheSocket() async throws {
        try await onThread {
            let missing = ControlClient(socketPath: "/tmp/segd-no-such-dir/c.sock")
            let e1 = #expect(throws: ControlError.self) { try missing.status() }
            #expect(e1?.code == .socketNotFound && e1?.message.contains("/tmp/segd-no-such-dir/c.sock") == true)
            let t = try TestServer()
            t.server.shutdown()
            // A socket file nobody listens on.
            var addr = try UnixSocket.address(t.socketPath)
            let fd = try UnixSocket.makeSocket()
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            defer { close(fd); try? FileManager.default.removeItem(atPath: t.folder) }
            let e2 = #expect(throws: ControlError.self) { try t.client.status() }
            #expect(e2?.code == .daemonNotRunning && e2?.message.contains(t.socketPath) == true)
        }
    }
}
