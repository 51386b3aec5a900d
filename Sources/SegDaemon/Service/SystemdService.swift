import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Tells systemd the truth: READY=1 once the group runs (everything before it is loaded and bound), a STATUS=
/// line with the queue, WATCHDOG=1 only while the scheduler's loop is alive, STOPPING=1 on shutdown. Handles
/// SIGHUP (reload). Writes the metrics text file for node_exporter when configured.
struct SystemdService: Service {
    let scheduler: Scheduler
    let configPath: String
    let logger: Logger
    let metricsTextfile: String?

    func run() async throws {
        Systemd.ready(status: await scheduler.statusLine())
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                await reload()
            }
        }
        defer { hangups.cancel() }
        try? await cancelWhenGracefulShutdown { try await heartbeat() }
        Systemd.stopping()
    }

    /// Pings the watchdog while the scheduler's loop is alive (a stuck loop stops the pings, and systemd
    /// restarts segd); refreshes STATUS= and the metrics file every 5 s.
    func heartbeat() async throws {
        let clock = ContinuousClock()
        let watchdog = Systemd.watchdogInterval()
        let period: Duration = min(.seconds(2), (watchdog ?? .seconds(4)) / 2)
        var lastStatus = clock.now - .seconds(60)
        while !Task.isCancelled {
            if let watchdog, clock.now - (await scheduler.lastLoop) < watchdog / 2 {
                Systemd.watchdogPing()
            }
            if clock.now - lastStatus >= .seconds(5) {
                lastStatus = clock.now
                Systemd.status(await scheduler.statusLine())
                if let metricsTextfile { await writeMetrics(to: metricsTextfile) }
            }
            try await Task.sleep(for: period)
        }
    }

    func reload() async {
        Systemd.reloading()
        do {
            let config = try SegdConfiguration.load(path: configPath)
            try await scheduler.reload(config)
        } catch {
            logger.error("reload failed; the previous configuration stays in force", metadata: ["error": "\(error)"])
        }
        Systemd.ready(status: await scheduler.statusLine())
    }

    func writeMetrics(to path: String) async {
        let text = await scheduler.metricsText()
        do {
            try Spool.writeText(text, to: path)
        } catch {
            logger.warning("cannot write the metrics text file", metadata: ["error": "\(error)"])
        }
    }
}
