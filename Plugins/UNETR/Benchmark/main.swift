import PluginBenchKit
// UNETR-bench: times the full-size MONAI UNETR (BTCV config, 96³, hidden 768, 12 heads) of ../shared/baselines.md
// on random weights with the real key names, at 2 threads (median of >= 5 runs after 2 warm-ups).
// Usage: swift run -c release UNETR-bench [threads] [runs] [cache MiB]   (SEGD_SHARED overrides ../shared)
import Foundation
import NN
import UNETRPlugin

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let runs = max(5, args.count > 2 ? Int(args[2]) ?? 5 : 5)
NN.setThreadCount(threads)
// Optional: NN's activation-buffer cache in MiB (NN's default is 256); a larger cache avoids page zeroing.
if args.count > 3, let mib = Int(args[3]) { NN.setMemoryCacheLimit(mib << 20) }
let peak = try Bench.sgemmPeak()
print("threads \(threads), OpenBLAS core \(NN.blasCoreName), sgemm peak (2048³ via NN) \(String(format: "%.0f", peak)) GFLOP/s")
print(Bench.header)
try Bench.run(Bench.Baseline(name: "unetr", input: [1, 1, 96, 96, 96], gflop: 146.4, torchMs: 1685, ortMs: 1356, torchRSS: 1231),
              runs: runs, peak: peak) { try UNETRPlugin.makeNetwork($0, weights: $1) }
