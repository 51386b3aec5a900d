import Foundation
import SegDaemon
import TestSupport
import Testing

/// What segd tells systemd (READY=1, STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1) over a real notify socket,
/// and SIGHUP reloading the rules without dropping anything.
@Suite(.serialized) struct SystemdTests {
    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket: @unchecked Sendable {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                let bytes = Array(path.utf8)
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard ok == 0 else { throw POSIXError(.EADDRINUSE) }
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Messages received until `until` holds for one of them or `timeout` passes.
        func collect(timeout: TimeInterval, until: (String) -> Bool) -> [String] {
            var out: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { continue }
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                out.append(message)
                if until(message) { break }
            }
            return out
        }

        deinit { close(fd); unlink(path) }
    }

    @Test func readyStatusWatchdogReloadAndStopping() async throws {
        try await offPool {
            let d = try DaemonHarness()
            defer { d.remove() }
            let metricsFile = d.root.appendingPathComponent("segd.prom")
            d.configText += "\n[metrics]\ntextfile = \"\(metricsFile.path)\"\n"
            try Data(d.configText.utf8).write(to: d.configURL)
            let notify = try NotifySocket(path: d.root.appendingPathComponent("notify.sock").path)
            d.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"]
            try d.start()
            let first = notify.collect(timeout: 30) { $0.contains("WATCHDOG=1") }
            let all = first.joined(separator: "\n")
            #expect(all.contains("READY=1"), "\(first)")
            #expect(all.contains("STATUS=0 running, 0 queued"), "\(first)")
            #expect(all.contains("WATCHDOG=1"), "the health loop pings within the watchdog interval: \(first)")
            try d.waitUntil("the metrics text file is written", timeout: 20) {
                (try? String(contentsOf: metricsFile, encoding: .utf8))?.contains("segd_jobs{state=\"queued\"} 0") == true
            }

            // SIGHUP: a new rule applies to the next series; the reload is announced and READY=1 follows.
            let rerouted = d.configText.replacingOccurrences(of: "equals = \"CT\"", with: "equals = \"MR\"")
            try Data(rerouted.utf8).write(to: d.configURL)
            kill(d.process!.processIdentifier, SIGHUP)
            let reload = notify.collect(timeout: 20) { $0.contains("READY=1") }.joined(separator: "\n")
            #expect(reload.contains("RELOADING=1") && reload.contains("MONOTONIC_USEC="), "\(reload)")
            try d.drop(DaemonTests.smallCT, as: "x", pause: 0, only: DaemonTests.dicomOnly)
            try d.waitUntil("the series is unrouted by the reloaded rules", timeout: 120) {
                try d.jobs().first?.state == .unrouted
            }
            #expect(d.isRunning)

            let status = d.stop(SIGTERM)
            #expect(status == 0)
            let end = notify.collect(timeout: 5) { $0.contains("STOPPING=1") }.joined(separator: "\n")
            #expect(end.contains("STOPPING=1"), "\(end)")
        }
    }

    @Test func aConfigurationErrorRefusesToStartWithTheLine() async throws {
        try await offPool {
            let d = try DaemonHarness()
            defer { d.remove() }
            try Data((d.configText + "\nbogus = 1\n").utf8).write(to: d.configURL)
            let (status, text) = try DaemonHarness.run(DaemonHarness.buildFolder.appendingPathComponent("segd").path,
                                                       ["run", "--config", d.configURL.path])
            #expect(status != 0)
            #expect(text.contains("bogus"), "\(text)")
        }
    }
}
