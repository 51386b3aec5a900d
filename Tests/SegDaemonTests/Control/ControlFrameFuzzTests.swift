#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SegControl
@testable import SegDaemon
import TestSupport
import Testing

/// Fuzzed frames on the control socket (issue 10, part 5): thousands of mutated requests of every route. Each
/// gets a well-formed HTTP answer or a closed connection, never a 500, and the server keeps answering a real
/// client throughout. `SEGD_CONTROL_FUZZ_FRAMES` (default 3000) and `SEGD_CONTROL_FUZZ_SEED` (default random,
/// printed) set the run. The same frames against a real `segd run`: DaemonTests `ControlSocketFuzzTests`.
@Suite("Control server under fuzzed frames", .serialized)
struct ControlFrameFuzzTests {
    @Test func fuzzedFramesGetAnAnswerOrACloseAndTheServerKeepsServing() async throws {
        try await onThread {
            let env = ProcessInfo.processInfo.environment
            let count = env["SEGD_CONTROL_FUZZ_FRAMES"].flatMap { Int($0) } ?? 3000
            let seed = env["SEGD_CONTROL_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
            let t = try TestServer { $0.requestTimeout = .milliseconds(500) }
            defer { t.stop() }
            var fuzzer = FrameFuzzer(seed: seed)
            let seeds = FrameFuzzer.seeds(folder: t.folder, rulesTest: true)
            var statuses: [String: Int] = [:]
            for i in 0..<count {
                let frame = fuzzer.frame(from: seeds)
                let reply = try SocketExchange.send(frame, to: t.socketPath)
                let status = reply.isEmpty ? "closed" : String(reply.prefix(12).dropFirst(9))
                statuses[status, default: 0] += 1
                let wellFormed = reply.isEmpty || (reply.hasPrefix("HTTP/1.1 ") && Int(status).map { (200..<600).contains($0) } == true)
                #expect(wellFormed, "seed \(seed), frame \(i): \(reply.prefix(80).debugDescription)")
                #expect(status != "500", "seed \(seed), frame \(i) \(String(decoding: frame.prefix(120), as: UTF8.self).debugDescription): \(reply.prefix(300))")
                if i % 250 == 0 { #expect(try t.client.status().pid == getpid(), "seed \(seed), after frame \(i)") }
            }
            #expect(try t.client.status().pid == getpid())
            print("control fuzz: \(count) frames, seed \(seed) (SEGD_CONTROL_FUZZ_SEED=\(seed) repeats it), answers \(statuses.sorted { $0.key < $1.key })")
        }
    }
}
