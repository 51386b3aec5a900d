#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SegControl
@testable import SegDaemon
import Testing

@Suite("Control server against bad clients", .serialized)
struct ControlServerRobustnessTests {
    @Test func garbageGetsAnErrorAndTheServerKeepsServing() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            var junk = [UInt8](repeating: 0, count: 300)
            for i in junk.indices { junk[i] = UInt8(truncatingIfNeeded: i &* 97 &+ 13) }
            let reply = try t.rawExchange(junk + Array("\r\n\r\n".utf8))
            #expect(reply.hasPrefix("HTTP/1.1 400") && reply.contains("bad-request"))
            #expect(try t.client.status().version == SegdVersion.string)
        }
    }

    @Test func oversizedHeadersAndBodiesAreRefusedUnread() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let huge = "GET /v1/status HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 70 * 1024) + "\r\n\r\n"
            let r1 = try t.rawExchange(Array(huge.utf8))
            #expect(r1.hasPrefix("HTTP/1.1 431") && r1.contains("headers-too-large"))
            let r2 = try t.rawExchange(Array("POST /v1/jobs HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n".utf8))
            #expect(r2.hasPrefix("HTTP/1.1 413") && r2.contains("payload-too-large"))
            let r3 = try t.rawExchange(Array("POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8))
            #expect(r3.hasPrefix("HTTP/1.1 411"))
            #expect(try t.client.status().version == SegdVersion.string)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let two = "GET /v1/version HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nope HTTP/1.1\r\nConnection: close\r\n\r\n"
            let reply = try t.rawExchange(Array(two.utf8))
            let first = try #require(reply.range(of: "HTTP/1.1 200"))
            let second = try #require(reply.range(of: "HTTP/1.1 404"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(reply.contains("Segd-Protocol: \(ControlProtocol.version)"))
        }
    }

    @Test func slowlorisIsTimedOutWithoutBlockingOthers() async throws {
        try await onThread {
            let t = try TestServer { $0.requestTimeout = .milliseconds(400) }
            defer { t.stop() }
            guard case .success(let slow) = try UnixSocket.connect(path: t.socketPath) else { Issue.record("connect"); return }
            defer { close(slow) }
            try UnixSocket.writeAll(slow, Data("GET /v1/sta".utf8), deadline: .now + .seconds(1))
            // While the slow client holds its connection, others are served.
            for _ in 0..<5 { #expect(try t.client.status().pid == getpid()) }
            var reply: [UInt8] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while case .data(let chunk) = try UnixSocket.read(slow, deadline: deadline) { reply += chunk }
            let text = String(decoding: reply, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408") && text.contains("\"timeout\""))
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await onThread {
            let t = try TestServer { $0.idleTimeout = .milliseconds(200) }
            defer { t.stop() }
            guard case .success(let fd) = try UnixSocket.connect(path: t.socketPath) else { Issue.record("connect"); return }
            defer { close(fd) }
            #expect(try UnixSocket.read(fd, deadline: .now + .seconds(10)) == .endOfFile)
        }
    }

    @Test func connectionsBeyondTheLimitGetUnavailable() async throws {
        try await onThread {
            let t = try TestServer { $0.maxConnections = 2; $0.idleTimeout = .seconds(30) }
            defer { t.stop() }
            var held: [Int32] = []
            defer { held.forEach { close($0) } }
            for _ in 0..<2 {
                guard case .success(let fd) = try UnixSocket.connect(path: t.socketPath) else { return }
                held.append(fd)
            }
            // Wait until both are admitted, then a third is turned away with 503.
            let until = ContinuousClock.now + .seconds(5)
            while t.server.activeConnections < 2 && ContinuousClock.now < until { usleep(5000) }
            let r = try t.rawExchange(Array("GET /v1/status HTTP/1.1\r\n\r\n".utf8))
            #expect(r.hasPrefix("HTTP/1.1 503") && r.contains("unavailable"))
        }
    }

    @Test func curlCanTalkToTheSocket() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let r = try run("/usr/bin/curl", ["-sS", "--unix-socket", t.socketPath, "http://segd/v1/status"])
            #expect(r.status == 0)
            let status = try ControlJSON.decoder().decode(StatusReport.self, from: Data(r.stdout.utf8))
            #expect(status.plugins == ["UNet"])
            let post = try run("/usr/bin/curl", ["-sS", "--unix-socket", t.socketPath, "-X", "POST", "-d",
                                                 "{\"path\":\"/srv/dicom/in\"}", "http://segd/v1/jobs"])
            #expect(post.stdout.contains("\"files\" : 3"))
        }
    }

    private func run(_ program: String, _ args: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
