import Foundation
public import NN
public import SegModelKit

/// Shared helpers of the plugin benchmark executables: random weights with the real key names, timing, CPU time, peak RSS.
public enum Bench {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    public static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
    }

    public static func peakRSSMiB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }

    /// ../shared (or $SEGD_SHARED) beside the repository.
    public static var shared: URL {
        ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath)  // <repo>/Benchmarks/PluginBenchKit/Bench.swift
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The network description and random weights (real key names and shapes from keys.txt) of a `_full` fixture:
    /// weights U(±sqrt(3/fan_in)), biases small, norm weights and running variances in [0.5, 1.5].
    public static func fullModel(_ name: String) throws -> (NetworkDescription, WeightStore) {
        let dir = shared.appendingPathComponent("fixtures/\(name)")
        let keys = try String(contentsOf: dir.appendingPathComponent("keys.txt"), encoding: .utf8)
        let config = try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8)
        var state: UInt64 = 20240611
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        var floats: [String: Tensor] = [:], ints: [String: [Int64]] = [:]
        for line in keys.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 3 else { continue }
            let key = String(parts[0])
            let shape = parts[2].dropFirst().dropLast().split(separator: ",")
                .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if parts[1].contains("int") { ints[key] = [0]; continue }
            let fanIn = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 0
            let (scale, offset): (Float, Float) =
                key.hasSuffix("running_var") || (shape.count == 1 && key.contains("norm") && key.hasSuffix("weight"))
                    || key.contains(".N.weight") ? (0.5, 1) : fanIn > 0 ? ((3 / Float(fanIn)).squareRoot(), 0) : (0.1, 0)
            floats[key] = Tensor(shape: shape) { b in for i in 0..<b.count { b[i] = offset + scale * next() } }
        }
        return (try NetworkDescription(json: config), WeightStore(tensors: floats, integers: ints, origin: name))
    }

    /// GFLOP/s of a 2048³ product through NN's matmul at the configured threads (best of 3): the sgemm peak.
    public static func sgemmPeak() throws -> Double {
        let n = 2048
        let a = Tensor(shape: [n, n], repeating: 0.5), b = Tensor(shape: [n, n], repeating: 0.25)
        var best = 0.0
        for _ in 0..<3 {
            let t0 = now()
            _ = try Functional.matmul(a, b)
            best = max(best, 2 * Double(n * n * n) / (now() - t0) / 1e9)
        }
        return best
    }

    public struct Baseline {
        public let name: String, input: [Int], gflop: Double, torchMs: Double, ortMs: Double, torchRSS: Double
        public init(name: String, input: [Int], gflop: Double, torchMs: Double, ortMs: Double, torchRSS: Double) {
            self.name = name; self.input = input; self.gflop = gflop
            self.torchMs = torchMs; self.ortMs = ortMs; self.torchRSS = torchRSS
        }
    }

    /// Times `forward` (2 warm-ups, then `runs` timed passes) and prints one table row.
    public static func run(_ b: Baseline, runs: Int, peak: Double, make: (NetworkDescription, WeightStore) throws -> any SegmentationNetwork) throws {
        let (description, store) = try fullModel(b.name + "_full")
        let net = try make(description, store)
        var seed: UInt64 = 7
        let x = Tensor(shape: b.input) { p in
            for i in 0..<p.count {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                p[i] = Float(seed >> 40) / Float(1 << 23) - 1
            }
        }
        for _ in 0..<2 { _ = try net.forward(x) }
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let t0 = now(), c0 = cpuSeconds()
            _ = try net.forward(x)
            times.append((now() - t0) * 1000)
            cpu.append(cpuSeconds() - c0)
        }
        let sorted = times.sorted(), ms = sorted[sorted.count / 2]
        let gflops = b.gflop / (ms / 1000)
        print(String(format: "| %@ | %@ | %.0f | %.0f | %.0f | %.1f | %.0f %% | %.2fx | %.2fx | %.0f (torch %.0f) | %.0f | %.2f |",
                     b.name, b.input.map(String.init).joined(separator: "x"), ms, sorted[0], sorted[sorted.count - 1],
                     gflops, 100 * gflops / peak, ms / b.torchMs, ms / b.ortMs, peakRSSMiB(), b.torchRSS,
                     cpu.sorted()[cpu.count / 2] * 1000, cpu.sorted()[cpu.count / 2] / (ms / 1000)))
    }

    public static let header = """
    | model | input | median ms | min ms | max ms | GFLOP/s | % sgemm peak | vs PyTorch | vs ORT | peak RSS MiB | CPU ms | CPU/wall |
    |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
    """
}
