import Foundation
import TestSupport
import Testing
@testable import SegDaemon

/// `WorkerProcess` with small shell scripts standing in for `segd worker` (they get the same arguments).
@Suite struct WorkerProcessTests {
    static func script(_ tmp: TempFolder, _ body: String) throws -> String {
        try ExecutableScript.write(body, to: tmp.path + "/worker.sh")
    }

    /// Every event until the worker's end.
    static func events(_ w: WorkerProcess) async -> (messages: [WorkerMessage], status: Int32, signal: Int32?, tail: String) {
        var messages: [WorkerMessage] = []
        for await e in w.events {
            switch e {
            case .message(let m): messages.append(m)
            case .exited(let status, let signal, let tail): return (messages, status, signal, tail)
            }
        }
        return (messages, -99, nil, "stream ended without an exit event")
    }

    @Test func messagesCommandsAndTheExitStatusFlow() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let exe = try Self.script(tmp, """
            [ "$1" = worker ] && [ "$2" = --spec ] || exit 9
            echo '{"event":"plan","bytes":5}'
            echo 'not json'
            read line
            echo "got $line" >&2
            echo '{"event":"stage","stage":"decode"}'
            exit 1
            """)
        let w = try WorkerProcess(executable: exe, specPath: tmp.sub("spec.json"))
        #expect(w.pid > 0)
        w.send(WorkerCommand(.go))
        let r = await Self.events(w)
        #expect(r.status == 1 && r.signal == nil)
        #expect(r.messages.map(\.event) == [.plan, .stage], "a line that is not a message is skipped")
        #expect(r.messages.first?.bytes == 5 && r.messages.last?.stage == "decode")
        #expect(r.tail.contains(#"got {"cmd":"go"}"#), "\(r.tail)")
    }

    @Test func aWorkerKilledByASignalReportsTheSignal() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let crash = try WorkerProcess(executable: try Self.script(tmp, "echo dying >&2; kill -SEGV $$"), specPath: "x")
        let r = await Self.events(crash)
        #expect(r.signal == SIGSEGV && r.tail.contains("dying"))

        let hang = try WorkerProcess(executable: try Self.script(tmp, "exec sleep 60"), specPath: "x")
        hang.kill()
        let k = await Self.events(hang)
        #expect(k.signal == SIGKILL)
    }

    @Test func aMissingExecutableIsAWorkerError() throws {
        let error = #expect(throws: DaemonError.self) {
            try WorkerProcess(executable: "/nonexistent/segd", specPath: "x")
        }
        #expect(error?.code == .worker && error?.message.contains("/nonexistent/segd") == true)
    }

    /// The daemon tells a worker `go` or `stop` at any time, also just after it died: writing to a pipe nobody
    /// reads must fail quietly (EPIPE), not end the daemon with SIGPIPE.
    @Test func sendingToAWorkerThatHasExitedDoesNotKillTheDaemon() async throws {
        let w = try WorkerProcess(executable: "/bin/true", specPath: "x")
        let r = await Self.events(w)
        #expect(r.status == 0 && r.signal == nil)
        for _ in 0..<3 { w.send(WorkerCommand(.stop)) }
        w.kill()  // already gone: a no-op
    }
}
