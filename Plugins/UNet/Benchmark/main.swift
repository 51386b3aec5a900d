import PluginBenchKit
// UNet-bench: times the full-size MONAI UNet 3-D (spleen, 96³), BasicUNet 3-D (96³) and UNet 2-D (256²) of
// ../shared/baselines.md on random weights with the real key names, at 2 threads (median of >= 5 runs after
// 2 warm-ups). Usage: swift run -c release UNet-bench [threads] [runs] [model filter] [cache MiB]   (SEGD_SHARED overrides ../shared)
import Foundation
import NN
import UNetPlugin

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let runs = max(5, args.count > 2 ? Int(args[2]) ?? 5 : 5)
let filter = args.count > 3 ? args[3] : ""
NN.setThreadCount(threads)
// Optional: NN's activation-buffer cache in MiB (NN's default is 256); a larger cache avoids page zeroing.
if args.count > 4, let mib = Int(args[4]) { NN.setMemoryCacheLimit(mib << 20) }
let peak = try Bench.sgemmPeak()
print("threads \(threads), OpenBLAS core \(NN.blasCoreName), sgemm peak (2048³ via NN) \(String(format: "%.0f", peak)) GFLOP/s")
print(Bench.header)
let models = [
    Bench.Baseline(name: "unet3d", input: [1, 1, 96, 96, 96], gflop: 10.2, torchMs: 306, ortMs: 147, torchRSS: 560),
    Bench.Baseline(name: "basicunet3d", input: [1, 1, 96, 96, 96], gflop: 252.3, torchMs: 2604, ortMs: 2138, torchRSS: 1225),
    Bench.Baseline(name: "unet2d", input: [1, 1, 256, 256], gflop: 6.0, torchMs: 48, ortMs: 41, torchRSS: 312),
]
for m in models where filter.isEmpty || m.name == filter {
    try Bench.run(m, runs: runs, peak: peak) { try UNetPlugin.makeNetwork($0, weights: $1) }
}
