// Times the pure-Swift pipeline stages on full-size synthetic data (not a test; run in release):
//   swift run -c release pipeline-bench
import Foundation
import Imaging
import SegModelKit

/// CPU seconds (user + system) used by this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Prints median wall time and the CPU time per run (CPU time is less sensitive to other processes on the machine).
func time(_ name: String, repeats: Int = 3, _ body: () throws -> Void) rethrows {
    var times: [Double] = [], cpu: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds, c0 = cpuSeconds()
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        cpu.append((cpuSeconds() - c0) * 1000)
    }
    times.sort(); cpu.sort()
    print(String(format: "%-58@ wall median %8.1f ms (min %.1f), CPU %8.1f ms", name as NSString,
                 times[times.count / 2], times[0], cpu[cpu.count / 2]))
}

let ct = Geometry(size: SIMD3(512, 512, 300), spacing: Vector3(0.75, 0.75, 1.0), origin: Vector3(-190, -190, -150),
                  direction: .identity)
var voxels = [Float](repeating: 0, count: ct.voxelCount)
for v in voxels.indices { voxels[v] = Float((v &* 2_654_435_761) % 2000) - 1000 }
let volume = Volume(geometry: ct, voxels: voxels)
voxels = []
let grid = try ModelSpaceGrid(source: ct, orientation: AxisCodes("RAS"), spacing: Vector3(1.5, 1.5, 2.0))
print("source \(ct.size) → model \(grid.shape)")

var model: [Float] = []
try time("Orientation+Spacing 512x512x300 → 1.5x1.5x2 mm") { model = try grid.resample(volume) }
let intensity: [IntensityTransform] = [.scaleIntensityRange(aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true)]
time("ScaleIntensityRange on the model grid") { model.withUnsafeMutableBufferPointer { intensity.apply($0) } }

let channels = 14
var probabilities = [Float](repeating: 0, count: channels * grid.voxelCount)
for v in probabilities.indices { probabilities[v] = Float(v % 97) / 97 }
let output = OutputSettings(activation: .softmax, decision: .argmax)
time("softmax over 14 channels on the model grid", repeats: 1) {
    probabilities.withUnsafeMutableBufferPointer { output.activate($0, channels: channels, count: grid.voxelCount) }
}
var labels = LabelMap(geometry: ct)
try time("14 channels back to the source grid + argmax", repeats: 1) {
    labels = try probabilities.withUnsafeBufferPointer { try grid.labelMap(probabilities: $0, channels: channels, output: output) }
}
probabilities = []

// Sliding-window overhead (extraction, blending, normalisation) with a trivial 2-channel predictor.
let swShape = [256, 256, 160]
let swInput = [Float](repeating: 0.5, count: swShape.reduce(1, *))
for overlap in [0.25, 0.5] {
    let sw = SlidingWindowInference(settings: SlidingWindowSettings(roiSize: [96, 96, 96], overlap: overlap, mode: .gaussian))
    try time("sliding window overhead 256x256x160, roi 96, overlap \(overlap)", repeats: 1) {
        _ = try swInput.withUnsafeBufferPointer { try sw.run(input: $0, channels: 1, shape: swShape) { p, _ in p + p } }
    }
}

// Connected components on blobs of 10 labels.
var blobs = LabelMap(geometry: ct)
for z in 0..<300 { for y in 0..<512 { for x in 0..<512 {
    let cell = (x / 40) + 13 * (y / 40) + 169 * (z / 30)
    if (x % 40) < 30 && (y % 40) < 30 && (z % 30) < 25 { blobs[x, y, z] = UInt8(1 + cell % 10) }
} } }
let post = PostprocessingSettings(keepLargestComponent: .all, keepLargestConnectivity: .full,
                                  removeComponentsSmallerThan: 0, removeSmallConnectivity: .faces)
time("keep largest component (26-conn), 10 labels, 512x512x300", repeats: 1) { var m = blobs; post.apply(to: &m) }
time("remove components < 1000 voxels (6-conn)", repeats: 1) {
    var m = blobs
    ComponentFilter.removeSmall(&m, minimumVoxels: 1000, connectivity: .faces)
}
let manifestJSON = """
{"id":"bench","version":"1","description":"","intendedUse":"","network":{"class":"x","kwargs":{"out_channels":14}},
 "weights":{"file":"w","sha256":"\(String(repeating: "0", count: 64))"},"input":{},"spatialDims":3,"orientation":"RAS",
 "spacing":[1.5,1.5,2.0],"intensity":[],"inference":{"roi_size":[96,96,96],"sw_batch_size":1},
 "output":{"activation":"softmax"},"labels":[{"index":1,"name":"a","category":{"scheme":"S","value":"1","meaning":"m"},
 "type":{"scheme":"S","value":"1","meaning":"m"},"color":[1,2,3]}]}
"""
let estimate = try MemoryEstimate(source: ct, manifest: ModelManifest(json: manifestJSON))
print("memory estimate, 512x512x300 CT, 14 channels: peak \(estimate.peakBytes / 1_048_576) MiB")
