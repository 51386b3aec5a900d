// UTNet-bench: times the full-size UTNet of ../shared/baselines.md (base_chan 32, 4 classes, reduce_size 8,
// block_list '1234', one block and 4 heads per level, 1x1x256x256) on random weights with the real key names.
// Usage: swift run -c release UTNet-bench [threads] [timed runs]    (SEGD_SHARED overrides ../shared)
import NN
import PluginBenchKit
import UTNetPlugin

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let runs = max(5, args.count > 2 ? Int(args[2]) ?? 7 : 7)
NN.setThreadCount(threads)
let peak = try Bench.sgemmPeak()
print("threads \(threads), OpenBLAS core \(NN.blasCoreName), sgemm peak (2048³ via NN) \(Int(peak)) GFLOP/s")
print(Bench.header)
let utnet = Bench.Baseline(name: "utnet", input: [1, 1, 256, 256], gflop: 35.1, torchMs: 456, ortMs: 263, torchRSS: 465)
try Bench.run(utnet, runs: runs, peak: peak, integers: { key, shape in
    // The plugin checks relative_position_index against the Swin index, so give it the real one.
    guard key.hasSuffix("relative_position_index"), shape.count == 2 else { return [0] }
    let cells = shape[0], r = Int(Double(cells).squareRoot())
    return (0..<cells * cells).map { ij in
        let i = ij / cells, j = ij % cells
        return Int64((i / r - j / r + r - 1) * (2 * r - 1) + (i % r - j % r + r - 1))
    }
}) { try UTNetPlugin.makeNetwork($0, weights: $1) }
