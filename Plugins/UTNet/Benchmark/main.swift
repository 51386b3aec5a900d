// UTNet-bench: times the full-size UTNet of ../shared/baselines.md (base_chan 32, 4 classes, reduce_size 8,
// block_list '1234', one block and 4 heads per level, 1x1x256x256) on random weights with the real key names.
// Usage: swift run -c release UTNet-bench [threads] [timed runs]    (SEGD_SHARED overrides ../shared)
import Foundation
import NN
import SegModelKit
import UTNetPlugin

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
}

func loadAverage() -> Double {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) > 0 ? l[0] : -1
}

func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

/// Deterministic uniform numbers in [-1, 1).
struct Random {
    var state: UInt64
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
    mutating func tensor(_ shape: [Int], scale: Float, offset: Float = 0) -> Tensor {
        Tensor(shape: shape) { b in for i in 0..<b.count { b[i] = offset + scale * next() } }
    }
}

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let runs = max(5, args.count > 2 ? Int(args[2]) ?? 7 : 7)
NN.setThreadCount(threads)

// Baselines (../shared/baselines.md, 2 threads): PyTorch eager and ONNX Runtime medians, PyTorch peak RSS, GFLOP.
let torchMs = 456.0, ortMs = 263.0, torchRSS = 465.0, gflop = 35.1

let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
let fixture = shared.appendingPathComponent("fixtures/utnet_full")
guard let keysText = try? String(contentsOf: fixture.appendingPathComponent("keys.txt"), encoding: .utf8),
      let configText = try? String(contentsOf: fixture.appendingPathComponent("config.json"), encoding: .utf8) else {
    print("UTNet-bench: \(fixture.path)/keys.txt and config.json are required (set SEGD_SHARED)")
    exit(1)
}

// Random weights under the real key names and shapes: convs U(±sqrt(3/fan_in)), norms near identity.
var rng = Random(state: 20240611)
var floats: [String: Tensor] = [:], ints: [String: [Int64]] = [:]
for line in keysText.split(separator: "\n") {
    let parts = line.split(separator: "\t")
    guard parts.count == 3 else { continue }
    let key = String(parts[0])
    let shape = parts[2].dropFirst().dropLast().split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    if parts[1].contains("int64") {
        if key.hasSuffix("relative_position_index") {
            let cells = shape[0], r = Int(Double(cells).squareRoot())
            ints[key] = (0..<cells * cells).map { ij in
                let i = ij / cells, j = ij % cells
                return Int64((i / r - j / r + r - 1) * (2 * r - 1) + (i % r - j % r + r - 1))
            }
        } else {
            ints[key] = [0]
        }
    } else if key.hasSuffix("running_var") {
        floats[key] = rng.tensor(shape, scale: 0.3, offset: 1)
    } else if key.hasSuffix("running_mean") || key.hasSuffix(".bias") && shape.count == 1 && !key.contains("conv") {
        floats[key] = rng.tensor(shape, scale: 0.1)
    } else if shape.count == 1 {
        floats[key] = key.hasSuffix("weight") ? rng.tensor(shape, scale: 0.5, offset: 1) : rng.tensor(shape, scale: 0.2)
    } else if key.hasSuffix("relative_position_bias_table") {
        floats[key] = rng.tensor(shape, scale: 1)
    } else {
        let fanIn = shape.dropFirst().reduce(1, *)
        floats[key] = rng.tensor(shape, scale: (3 / Float(fanIn)).squareRoot())
    }
}
let network = try UTNetPlugin.makeNetwork(try NetworkDescription(json: configText),
                                          weights: WeightStore(tensors: floats, integers: ints))
floats = [:]
let input = rng.tensor([1, 1, 256, 256], scale: 1)

// SGEMM ceiling through NN's own (split) product: best of 5 square 1024 products.
let a = rng.tensor([1024, 1024], scale: 1), b = rng.tensor([1024, 1024], scale: 1)
var gemmBest = 0.0
for _ in 0..<6 {
    let t0 = now()
    _ = try Functional.matmul(a, b)
    gemmBest = max(gemmBest, 2 * 1024 * 1024 * 1024 / (now() - t0) / 1e9)
}

for _ in 0..<2 { _ = try network.forward(input) }
var times: [Double] = []
let cpu0 = cpuSeconds()
for _ in 0..<runs {
    let t0 = now()
    _ = try network.forward(input)
    times.append((now() - t0) * 1000)
}
let cpuPerRun = (cpuSeconds() - cpu0) / Double(runs) * 1000
times.sort()
let median = times[times.count / 2]
print("UTNet 1x1x256x256, \(threads) threads, OpenBLAS core \(NN.blasCoreName), \(runs) timed runs after 2 warm-ups")
print(String(format: "median %.1f ms (min %.1f, max %.1f)", median, times.first!, times.last!))
print(String(format: "%.1f GFLOP/s (%.1f GFLOP per baselines.md), %.0f%% of the measured sgemm peak %.0f GFLOP/s",
             gflop / median * 1000, gflop, gflop / median * 1000 / gemmBest * 100, gemmBest))
print(String(format: "own CPU time %.0f ms per forward (%.1f GFLOP per CPU-second); 1-min load average %.1f",
             cpuPerRun, gflop / cpuPerRun * 1000, loadAverage()))
print(String(format: "vs PyTorch %.0f ms: %.2fx the time; vs ONNX Runtime %.0f ms: %.2fx the time",
             torchMs, median / torchMs, ortMs, median / ortMs))
print(String(format: "peak RSS %.0f MiB (PyTorch %.0f MiB)", peakRSSMiB(), torchRSS))
