#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SegControl
@testable import SegDaemon
import Testing

/// Runs the built `segctl` binary against a real control server with the in-memory backend.
@Suite("segctl end to end", .serialized)
struct SegctlEndToEndTests {
    static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("segctl").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("segctl").path
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func segctl(_ args: [String], socket: String?, asNobody: Bool = false) throws -> Run {
        let p = Process()
        var arguments = args
        if let socket { arguments += ["--socket", socket] }
        if asNobody {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SEGD_SOCKET")
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }

    static let commands: [[String]] = [
        ["status"], ["jobs"], ["jobs", "--state", "failed", "--since", "3650d", "--limit", "5"],
        ["job", "show", "j-20261120-100001-abc001"], ["submit", "/srv/dicom/in/a"], ["cancel", "j-20261120-100003-abc003"],
        ["retry", "j-20261120-100001-abc001"], ["pause"], ["resume"], ["models"], ["plugins"], ["reload"],
        ["rules", "test", "/srv/dicom/in"], ["metrics"], ["version"],
    ]

    @Test func everyCommandInBothOutputModes() async throws {
        try await onThread {
            for json in [false, true] {
                let t = try TestServer()
                defer { t.stop() }
                for command in Self.commands {
                    let r = try Self.segctl(command + (json ? ["--json"] : []), socket: t.socketPath)
                    #expect(r.status == 0, "\(command): \(r.stderr)")
                    #expect(!r.stdout.isEmpty && r.stderr.isEmpty, "\(command)")
                    if json {
                        #expect((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) != nil, "\(command) JSON")
                    }
                }
            }
        }
    }

    @Test func humanOutputShowsTheFacts() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let status = try Self.segctl(["status"], socket: t.socketPath).stdout
            #expect(status.contains("segd \(SegdVersion.string)") && status.contains("up 1h02m"))
            #expect(status.contains("inference") && status.contains("42%") && !status.contains("\u{1B}["))
            let jobs = try Self.segctl(["jobs"], socket: t.socketPath).stdout.split(separator: "\n")
            #expect(jobs.first?.hasPrefix("ID") == true && jobs.count == 5)
            // Aligned: the STATE column starts at the same offset on every line.
            let column = try #require(jobs[0].range(of: "STATE")).lowerBound.utf16Offset(in: jobs[0])
            for row in jobs.dropFirst() {
                let chars = Array(row)
                #expect(chars[column - 1] == " " && chars[column - 2] == " " && chars[column] != " ", "\(row)")
            }
            let show = try Self.segctl(["job", "show", "j-20261120-100001-abc001"], socket: t.socketPath).stdout
            #expect(show.contains("model-failed: the plugin crashed") && show.contains("routing:"))
            let json = try Self.segctl(["jobs", "--json", "--state", "failed"], socket: t.socketPath).stdout
            let list = try ControlJSON.decoder().decode(JobList.self, from: Data(json.utf8))
            #expect(list.jobs.map(\.state) == ["failed"])
        }
    }

    @Test func submitWaitExitsWithTheJobsResult() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let ok = try Self.segctl(["submit", "/srv/dicom/in/a", "--wait", "--interval", "0.05"], socket: t.socketPath)
            #expect(ok.status == 0 && ok.stdout.contains("done"))
            #expect(ok.stderr.contains("running inference 50%"))
            let outside = try Self.segctl(["submit", "/etc"], socket: t.socketPath)
            #expect(outside.status == 2 && outside.stderr.hasPrefix("segctl: /etc is outside the configured roots"))
            #expect(outside.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func previewIsWritten() async throws {
        try await onThread {
            let t = try TestServer()
            defer { t.stop() }
            let out = t.folder + "/p.png"
            let r = try Self.segctl(["job", "preview", "j-20261120-100000-abc000", "--out", out], socket: t.socketPath)
            #expect(r.status == 0 && FileManager.default.contents(atPath: out) == InMemoryBackend.png)
            let missing = try Self.segctl(["job", "preview", "j-nope", "--out", out], socket: t.socketPath)
            #expect(missing.status == 2 && missing.stderr == "segctl: no job j-nope\n")
        }
    }

    @Test func errorsAreOneLineWithDocumentedStatuses() async throws {
        try await onThread {
            let gone = try Self.segctl(["status"], socket: "/tmp/segd-none/c.sock")
            #expect(gone.status == 3 && gone.stderr.contains("/tmp/segd-none/c.sock"))
            #expect(gone.stderr.split(separator: "\n").count == 1)
            let usage = try Self.segctl(["jobs", "--since", "tomorrow"], socket: "/tmp/x.sock")
            #expect(usage.status == 64)
            let t = try TestServer(peer: PeerIdentity(pid: 1, uid: 1000, gid: 1000), daemonUID: 999)
            defer { t.stop() }
            let denied = try Self.segctl(["pause"], socket: t.socketPath)
            #expect(denied.status == 4 && denied.stderr.contains("segd-admin"))
            let jsonError = try Self.segctl(["pause", "--json"], socket: t.socketPath)
            #expect(jsonError.stdout.contains("\"code\" : \"forbidden\""))
        }
    }

    /// The real SO_PEERCRED path: segctl run as nobody (uid 65534) reads but may not mutate.
    @Test func unprivilegedUserIsRefusedMutationButCanRead() async throws {
        try await onThread {
            try #require(getuid() == 0, "this test switches to uid 65534 with setpriv and needs root")
            let t = try TestServer(daemonUID: 0, adminGID: nil, mode: 0o666)
            defer { t.stop() }
            let read = try Self.segctl(["status"], socket: t.socketPath, asNobody: true)
            #expect(read.status == 0, "\(read.stderr)")
            let write = try Self.segctl(["cancel", "j-20261120-100003-abc003"], socket: t.socketPath, asNobody: true)
            #expect(write.status == 4 && write.stderr.contains("uid 65534"))
            let audit = try t.auditLines()
            #expect(audit.last?.uid == 65534 && audit.last?.result == "forbidden" && audit.last?.command == "cancel")
            // A socket the user may not open: a clear permission message naming the group.
            chmod(t.socketPath, 0o660)
            let blocked = try Self.segctl(["status"], socket: t.socketPath, asNobody: true)
            #expect(blocked.status == 4 && blocked.stderr.contains("you need to be in group"))
        }
    }
}
