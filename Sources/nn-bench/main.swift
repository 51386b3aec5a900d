// nn-bench: micro-benchmark of NN's heavy ops (conv, transposed conv, norms) on model-sized shapes.
// Usage: nn-bench [threads]   (build with -c release). Prints median ms and GFLOP/s per case.
import Foundation
import NN

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func random(_ shape: [Int], scale: Float = 1) -> Tensor {
    var state: UInt64 = 0x9E3779B97F4A7C15
    return Tensor(shape: shape) { buf in
        for i in 0..<buf.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            buf[i] = (Float(state >> 40) / Float(1 << 24) - 0.5) * scale
        }
    }
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
}

func time(_ name: String, gflop: Double, repeats: Int = 3, _ body: () throws -> Tensor) rethrows {
    _ = try body()
    var times: [Double] = []
    let cpu0 = cpuSeconds()
    defer {
        let cpu = (cpuSeconds() - cpu0) / Double(repeats)
        print(String(format: "    cpu %.1f ms/run, %.1f GFLOP per cpu-second", cpu * 1000, gflop / cpu))
    }
    for _ in 0..<repeats {
        let t0 = now()
        _ = try body()
        times.append(now() - t0)
    }
    let med = times.sorted()[times.count / 2]
    let line = name.padding(toLength: 36, withPad: " ", startingAt: 0)
        + String(format: "%9.1f ms  %7.1f GFLOP/s  (min %.1f ms)", med * 1000, gflop / med, times.min()! * 1000)
    print(line)
}

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
NN.setThreadCount(threads)
let filter = args.count > 2 ? args[2] : ""
print("threads \(threads), OpenBLAS core \(NN.blasCoreName)")

struct ConvCase { let name: String; let cin, cout, size, k, stride, pad: Int; let dims: Int }
let convs: [ConvCase] = [
    ConvCase(name: "conv3d 1->32 k3 96^3", cin: 1, cout: 32, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 32->32 k3 96^3", cin: 32, cout: 32, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 64->32 k3 96^3", cin: 64, cout: 32, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 32->16 k3 96^3", cin: 32, cout: 16, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 16->16 k3 96^3", cin: 16, cout: 16, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 32->32 k3 64^3", cin: 32, cout: 32, size: 64, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 64->64 k3 48^3", cin: 64, cout: 64, size: 48, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 128->128 k3 24^3", cin: 128, cout: 128, size: 24, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 16->16 k3 48^3", cin: 16, cout: 16, size: 48, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 1->16 k3 s2 96^3", cin: 1, cout: 16, size: 96, k: 3, stride: 2, pad: 1, dims: 3),
    ConvCase(name: "conv3d 16->32 k3 s2 48^3", cin: 16, cout: 32, size: 48, k: 3, stride: 2, pad: 1, dims: 3),
    ConvCase(name: "conv3d 64->128 k3 s2 12^3", cin: 64, cout: 128, size: 12, k: 3, stride: 2, pad: 1, dims: 3),
    ConvCase(name: "conv3d 2->2 k3 96^3", cin: 2, cout: 2, size: 96, k: 3, stride: 1, pad: 1, dims: 3),
    ConvCase(name: "conv3d 32->2 k1 96^3", cin: 32, cout: 2, size: 96, k: 1, stride: 1, pad: 0, dims: 3),
    ConvCase(name: "conv2d 32->32 k3 256^2", cin: 32, cout: 32, size: 256, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 64->64 k3 128^2", cin: 64, cout: 64, size: 128, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 32->32 k3 128^2", cin: 32, cout: 32, size: 128, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 32->64 k3 s2 128^2", cin: 32, cout: 64, size: 128, k: 3, stride: 2, pad: 1, dims: 2),
    ConvCase(name: "conv2d 128->128 k3 32^2", cin: 128, cout: 128, size: 32, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 512->512 k3 16^2", cin: 512, cout: 512, size: 16, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 512->512 k3 8^2", cin: 512, cout: 512, size: 8, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d dw 128 k3 64^2", cin: 1, cout: 128, size: 64, k: 3, stride: 1, pad: 1, dims: 2),
    ConvCase(name: "conv2d 256->256 k3 32^2", cin: 256, cout: 256, size: 32, k: 3, stride: 1, pad: 1, dims: 2),
]
for c in convs where filter.isEmpty || c.name.contains(filter) {
    let sp = Array(repeating: c.size, count: c.dims), ks = Array(repeating: c.k, count: c.dims)
    let depthwise = c.name.contains(" dw ")
    let x = random([1, depthwise ? c.cout : c.cin] + sp), w = random([c.cout, c.cin] + ks, scale: 0.1), b = random([c.cout])
    let o = (c.size + 2 * c.pad - c.k) / c.stride + 1
    let outPlane = Double(Array(repeating: o, count: c.dims).reduce(1, *))
    let gflop = 2 * Double(c.cout * c.cin) * Double(ks.reduce(1, *)) * outPlane / 1e9
    try time(c.name, gflop: gflop, repeats: c.size <= 128 ? 21 : 3) {
        try Functional.conv(x, weight: w, bias: b, stride: [c.stride], padding: [c.pad], groups: depthwise ? c.cout : 1)
    }
}
let tcases: [(String, Int, Int, Int, Int, Int, Int)] = [  // name, cin, cout, size, k, s, p
    ("convT3d 64->32 k2 s2 48^3", 64, 32, 48, 2, 2, 0),
    ("convT3d 32->16 k3 s2 p1 48^3", 32, 16, 48, 3, 2, 1),
]
for (name, cin, cout, size, k, s, p) in tcases where filter.isEmpty || name.contains(filter) {
    let x = random([1, cin, size, size, size]), w = random([cin, cout, k, k, k], scale: 0.1)
    let gflop = 2 * Double(cin * cout * k * k * k) * Double(size * size * size) / 1e9
    try time(name, gflop: gflop) {
        try Functional.convTranspose(x, weight: w, bias: nil, stride: [s], padding: [p], outputPadding: [p])
    }
}
if "norm".contains(filter) || filter.isEmpty {
    let x = random([1, 32, 96, 96, 96])
    let g = random([32]), bt = random([32])
    try time("instanceNorm 32x96^3", gflop: 0) { try Functional.instanceNorm(x, weight: g, bias: bt) }
    time("leakyReLU 32x96^3", gflop: 0) { Functional.leakyReLU(x, slope: 0.1) }
    try time("maxPool k2 32x96^3", gflop: 0) { try Functional.maxPool(x, kernel: [2]) }
    try time("concat 2x32x96^3", gflop: 0) { try Functional.concat([x, x]) }
}
if filter == "gemm" {
    for (m, k, n) in [(32, 32, 9216), (32, 32, 36864), (32, 64, 9216), (32, 96, 9216), (32, 288, 9216), (32, 32, 884736), (32, 864, 2304), (32, 864, 4608), (32, 864, 9216), (32, 864, 18432), (32, 864, 36864), (32, 864, 884736),
                      (32, 1728, 9216), (32, 1728, 36864)] {
        let a = random([m, k]), b = random([k, n])
        time("gemm \(m)x\(k)x\(n)", gflop: 2 * Double(m * k * n) / 1e9, repeats: 5) { try! Functional.matmul(a, b) }
    }
}

if filter == "basicunet" {
    let net = BasicUNetProxy()
    let x = random([1, 1, 96, 96, 96])
    try time("BasicUNet-3D proxy 96^3 (252.3 GFLOP)", gflop: 252.3) { try net.forward(x) }
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    print("peak RSS \(u.ru_maxrss / 1024) MiB")
}
