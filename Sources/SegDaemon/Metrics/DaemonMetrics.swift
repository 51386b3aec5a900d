import Foundation

/// The daemon's counters and histograms, rendered as Prometheus text exposition (version 0.0.4).
public struct DaemonMetrics: Sendable {
    /// Cumulative-bucket histogram.
    public struct Histogram: Sendable {
        public let bounds: [Double]
        public private(set) var counts: [Int]
        public private(set) var sum = 0.0
        public private(set) var count = 0

        public init(bounds: [Double]) {
            self.bounds = bounds
            self.counts = Array(repeating: 0, count: bounds.count)
        }

        public mutating func observe(_ x: Double) {
            for (i, b) in bounds.enumerated() where x <= b { counts[i] += 1 }
            sum += x
            count += 1
        }
    }

    static let stageBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800]
    static let latencyBounds = [1.0, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]

    public var filesReceived = 0
    public var workerRestarts = 0
    /// (outcome, model) → jobs.
    public private(set) var outcomes: [String: [String: Int]] = [:]
    public private(set) var stages: [String: Histogram] = [:]
    public private(set) var latency = Histogram(bounds: latencyBounds)

    public init() {}

    public mutating func finished(outcome: String, model: String) {
        outcomes[outcome, default: [:]][model, default: 0] += 1
    }

    public mutating func observeStage(_ stage: String, seconds: Double) {
        stages[stage, default: Histogram(bounds: Self.stageBounds)].observe(seconds)
    }

    public mutating func observeLatency(_ seconds: Double) { latency.observe(seconds) }

    /// The exposition text, with the queue depth per state from the store.
    public func render(queue: [JobState: Int], running: Int, memoryInUse: Int, budget: Int, paused: Bool) -> String {
        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        header("segd_jobs", "gauge", "Jobs in the store by state.")
        for state in JobState.allCases { out += "segd_jobs{state=\"\(state.rawValue)\"} \(queue[state] ?? 0)\n" }
        header("segd_workers_running", "gauge", "Worker processes running now.")
        out += "segd_workers_running \(running)\n"
        header("segd_memory_admitted_bytes", "gauge", "Estimated peak memory of the admitted jobs.")
        out += "segd_memory_admitted_bytes \(memoryInUse)\n"
        header("segd_memory_budget_bytes", "gauge", "The memory budget for admission.")
        out += "segd_memory_budget_bytes \(budget)\n"
        header("segd_intake_paused", "gauge", "1 while intake is paused.")
        out += "segd_intake_paused \(paused ? 1 : 0)\n"
        header("segd_files_received_total", "counter", "Files moved from drop folders into the spool.")
        out += "segd_files_received_total \(filesReceived)\n"
        header("segd_jobs_finished_total", "counter", "Jobs that reached a final state, by outcome and model.")
        for (outcome, byModel) in outcomes.sorted(by: { $0.key < $1.key }) {
            for (model, n) in byModel.sorted(by: { $0.key < $1.key }) {
                out += "segd_jobs_finished_total{outcome=\"\(Self.escape(outcome))\",model=\"\(Self.escape(model))\"} \(n)\n"
            }
        }
        header("segd_worker_restarts_total", "counter", "Workers that crashed, were killed or timed out.")
        out += "segd_worker_restarts_total \(workerRestarts)\n"
        header("segd_stage_duration_seconds", "histogram", "Wall time of job stages.")
        for (stage, h) in stages.sorted(by: { $0.key < $1.key }) {
            out += Self.lines("segd_stage_duration_seconds", h, label: "stage=\"\(Self.escape(stage))\",")
        }
        header("segd_receive_to_seg_seconds", "histogram", "From the first file received to the SEG written.")
        out += Self.lines("segd_receive_to_seg_seconds", latency, label: "")
        return out
    }

    static func lines(_ name: String, _ h: Histogram, label: String) -> String {
        var out = ""
        for (b, c) in zip(h.bounds, h.counts) { out += "\(name)_bucket{\(label)le=\"\(format(b))\"} \(c)\n" }
        out += "\(name)_bucket{\(label)le=\"+Inf\"} \(h.count)\n"
        let braces = label.isEmpty ? "" : "{\(label.dropLast())}"
        out += "\(name)_sum\(braces) \(format(h.sum))\n\(name)_count\(braces) \(h.count)\n"
        return out
    }

    static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
