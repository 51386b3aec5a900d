import Foundation

extension Scheduler {
    public var modelIDs: [String] { models.keys.sorted() }

    /// One line for systemd's STATUS= and logs: the queue by state.
    public func statusLine() -> String {
        let counts = (try? store.countsByState()) ?? [:]
        var parts = ["\(running.count) running", "\(counts[.queued] ?? 0) queued", "\(counts[.waitingQuiet] ?? 0) arriving",
                     "\(counts[.done] ?? 0) done", "\(counts[.failed] ?? 0) failed", "\(counts[.quarantined] ?? 0) quarantined"]
        if paused { parts.append("intake paused") }
        return parts.joined(separator: ", ")
    }

    /// The Prometheus exposition text.
    public func metricsText() -> String {
        metrics.render(queue: (try? store.countsByState()) ?? [:], running: running.count, memoryInUse: memoryInUse,
                       budget: budget, paused: paused)
    }
}
