import Foundation
import Testing
@testable import SegDaemon

@Suite struct DaemonMetricsTests {
    /// One sample line of the Prometheus text format 0.0.4, parsed strictly.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Parsed {
        var help: [String: String] = [:]
        var type: [String: String] = [:]
        var samples: [Sample] = []

        func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
            samples.filter { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }.map(\.value)
        }
    }

    struct Invalid: Error, CustomStringConvertible { var description: String }

    static func isMetricName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" || first == ":" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":") }
    }

    /// Parses the exposition text and checks its structure: each family has one HELP and one TYPE, both before
    /// its samples; every sample belongs to a declared family; label values use only the three escapes.
    static func parse(_ text: String) throws -> Parsed {
        var p = Parsed()
        #expect(text.hasSuffix("\n"), "the text ends with a newline")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                guard parts.count == 4, isMetricName(parts[2]) else { throw Invalid(description: "bad comment: \(line)") }
                let name = String(parts[2])
                if parts[1] == "HELP" {
                    guard p.help[name] == nil else { throw Invalid(description: "second HELP for \(name)") }
                    p.help[name] = String(parts[3])
                } else {
                    guard p.type[name] == nil, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else { throw Invalid(description: "bad or second TYPE: \(line)") }
                    p.type[name] = String(parts[3])
                }
                continue
            }
            guard !line.isEmpty, !line.hasPrefix("#") else { throw Invalid(description: "unexpected line: \(line.debugDescription)") }
            let s = try sample(line)
            // HELP and TYPE come before the family's first sample.
            guard let family = family(of: s.name, types: p.type), p.help[family] != nil else {
                throw Invalid(description: "sample \(s.name) before its family's HELP and TYPE")
            }
            p.samples.append(s)
        }
        return p
    }

    static func family(of name: String, types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    static func sample(_ line: Substring) throws -> Sample {
        var chars = Array(line)
        var i = 0
        var name = ""
        while i < chars.count, chars[i] != "{", chars[i] != " " { name.append(chars[i]); i += 1 }
        guard isMetricName(Substring(name)) else { throw Invalid(description: "bad name in \(line)") }
        var labels: [String: String] = [:]
        if i < chars.count, chars[i] == "{" {
            i += 1
            while i < chars.count, chars[i] != "}" {
                var key = ""
                while i < chars.count, chars[i] != "=" { key.append(chars[i]); i += 1 }
                guard isMetricName(Substring(key)), i + 1 < chars.count, chars[i + 1] == "\"" else {
                    throw Invalid(description: "bad label in \(line)")
                }
                i += 2
                var value = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\" {
                        guard i + 1 < chars.count else { throw Invalid(description: "dangling escape in \(line)") }
                        switch chars[i + 1] {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Invalid(description: "bad escape in \(line)")
                        }
                        i += 2
                    } else {
                        value.append(chars[i]); i += 1
                    }
                }
                guard i < chars.count, labels[key] == nil else { throw Invalid(description: "bad labels in \(line)") }
                labels[key] = value
                i += 1
                if i < chars.count, chars[i] == "," { i += 1 }
            }
            guard i < chars.count else { throw Invalid(description: "unclosed labels in \(line)") }
            i += 1
        }
        guard i < chars.count, chars[i] == " " else { throw Invalid(description: "no value in \(line)") }
        chars.removeFirst(i + 1)
        let text = String(chars)
        let value: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
        guard let value, !text.contains(" ") else { throw Invalid(description: "bad value in \(line)") }
        return Sample(name: name, labels: labels, value: value)
    }

    @Test func anEmptyDaemonRendersValidTextWithEveryStateAndFamily() throws {
        let text = DaemonMetrics().render(queue: [:], running: 0, memoryInUse: 0, budget: 1 << 30, paused: false)
        let p = try Self.parse(text)
        #expect(p.type["segd_jobs"] == "gauge" && p.type["segd_jobs_finished_total"] == "counter")
        #expect(p.type["segd_stage_duration_seconds"] == "histogram" && p.type["segd_receive_to_seg_seconds"] == "histogram")
        for state in JobState.allCases { #expect(p.values("segd_jobs", ["state": state.rawValue]) == [0]) }
        #expect(p.values("segd_memory_budget_bytes") == [Double(1 << 30)])
        #expect(p.values("segd_intake_paused") == [0])
        #expect(p.values("segd_receive_to_seg_seconds_count") == [0] && p.values("segd_receive_to_seg_seconds_sum") == [0])
        #expect(p.values("segd_receive_to_seg_seconds_bucket", ["le": "+Inf"]) == [0])
    }

    @Test func gaugesAndCountersCarryTheirValues() throws {
        var m = DaemonMetrics()
        m.filesReceived = 42
        m.workerRestarts = 3
        let p = try Self.parse(m.render(queue: [.queued: 4, .done: 7], running: 2, memoryInUse: 5_000_000_000,
                                        budget: 8_000_000_000, paused: true))
        #expect(p.values("segd_jobs", ["state": "queued"]) == [4] && p.values("segd_jobs", ["state": "done"]) == [7])
        #expect(p.values("segd_jobs", ["state": "waiting-quiet"]) == [0])
        #expect(p.values("segd_workers_running") == [2] && p.values("segd_intake_paused") == [1])
        #expect(p.values("segd_memory_admitted_bytes") == [5_000_000_000])
        #expect(p.values("segd_files_received_total") == [42] && p.values("segd_worker_restarts_total") == [3])
    }

    @Test func outcomesAreCountedByOutcomeAndModel() throws {
        var m = DaemonMetrics()
        m.finished(outcome: "done", model: "liver")
        m.finished(outcome: "done", model: "liver")
        m.finished(outcome: "done", model: "spleen")
        m.finished(outcome: "failed", model: "liver")
        m.finished(outcome: "unrouted", model: "")
        let p = try Self.parse(m.render(queue: [:], running: 0, memoryInUse: 0, budget: 1, paused: false))
        #expect(p.values("segd_jobs_finished_total", ["outcome": "done", "model": "liver"]) == [2])
        #expect(p.values("segd_jobs_finished_total", ["outcome": "done", "model": "spleen"]) == [1])
        #expect(p.values("segd_jobs_finished_total", ["outcome": "failed", "model": "liver"]) == [1])
        #expect(p.values("segd_jobs_finished_total", ["outcome": "unrouted", "model": ""]) == [1])
        #expect(p.values("segd_jobs_finished_total").count == 4)
    }

    @Test func histogramsAreCumulativeWithInfEqualToCountAndTheSum() throws {
        var m = DaemonMetrics()
        let decode = [0.01, 0.07, 0.3, 0.3, 4, 700, 5000]
        for s in decode { m.observeStage("decode", seconds: s) }
        m.observeStage("inference", seconds: 12.5)
        for s in [3.0, 45, 9000] { m.observeLatency(s) }
        let p = try Self.parse(m.render(queue: [:], running: 0, memoryInUse: 0, budget: 1, paused: false))

        let buckets = p.samples.filter { $0.name == "segd_stage_duration_seconds_bucket" && $0.labels["stage"] == "decode" }
        #expect(buckets.count == DaemonMetrics.stageBounds.count + 1)
        #expect(buckets.last?.labels["le"] == "+Inf")
        let counts = buckets.map(\.value)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 }, "cumulative: \(counts)")
        for b in buckets {
            let le = b.labels["le"] == "+Inf" ? Double.infinity : try #require(Double(b.labels["le"] ?? ""))
            #expect(b.value == Double(decode.filter { $0 <= le }.count), "le=\(le)")
        }
        #expect(p.values("segd_stage_duration_seconds_count", ["stage": "decode"]) == [Double(decode.count)])
        let sum = try #require(p.values("segd_stage_duration_seconds_sum", ["stage": "decode"]).first)
        #expect(abs(sum - decode.reduce(0, +)) < 1e-9)
        #expect(p.values("segd_stage_duration_seconds_bucket", ["stage": "inference", "le": "+Inf"]) == [1])
        #expect(p.values("segd_stage_duration_seconds_bucket", ["stage": "inference", "le": "10"]) == [0])
        #expect(p.values("segd_stage_duration_seconds_bucket", ["stage": "inference", "le": "30"]) == [1])

        #expect(p.values("segd_receive_to_seg_seconds_bucket", ["le": "+Inf"]) == [3])
        #expect(p.values("segd_receive_to_seg_seconds_bucket", ["le": "60"]) == [2])
        #expect(p.values("segd_receive_to_seg_seconds_count") == [3] && p.values("segd_receive_to_seg_seconds_sum") == [9048])
    }

    @Test func labelValuesAreEscaped() throws {
        var m = DaemonMetrics()
        let model = "we\"ird\\model\nname"
        m.finished(outcome: "done", model: model)
        m.observeStage("st\"age", seconds: 1)
        let text = m.render(queue: [:], running: 0, memoryInUse: 0, budget: 1, paused: false)
        #expect(text.contains(#"model="we\"ird\\model\nname""#))
        let p = try Self.parse(text)
        #expect(p.values("segd_jobs_finished_total", ["model": model]) == [1])
        #expect(p.values("segd_stage_duration_seconds_count", ["stage": "st\"age"]) == [1])
    }
}
