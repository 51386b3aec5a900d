// Series-load throughput benchmark (not a test). Usage:
//   swift run -c release segd-bench-dicom [--runs N] [FOLDER ...]
// Default folders: ../shared/dicom/ct_philips_head_5mm (uncompressed) and
// ../shared/dicom/mixed_philips_scout_plus_axial (JPEG-LS axial series). For each folder it scans once, then
// loads the accepted stacks N times and prints the median wall time, MB/s (bytes of the source files read),
// slices/s and the peak RSS (getrusage) against the float32 volume size.
import DICOM
import Foundation
import Imaging

#if canImport(Glibc)
import Glibc
#endif

func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var arguments = Array(CommandLine.arguments.dropFirst())
var runs = 7
if let i = arguments.firstIndex(of: "--runs"), i + 1 < arguments.count {
    runs = Int(arguments[i + 1]) ?? runs
    arguments.removeSubrange(i...(i + 1))
}
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"] ?? repoRoot.appendingPathComponent("../shared").path
let folders = arguments.isEmpty
    ? ["\(shared)/dicom/ct_philips_head_5mm", "\(shared)/dicom/mixed_philips_scout_plus_axial"] : arguments

print("cores: \(ProcessInfo.processInfo.activeProcessorCount), runs: \(runs)")
for folder in folders {
    do {
        let scanStart = now()
        let result = try DICOMScanner.scan(directory: folder)
        let scanTime = now() - scanStart
        for stack in result.series.compactMap(\.stack) where stack.sliceCount > 1 {
            let baseline = peakRSSBytes()
            let bytes = Set(stack.sources.map(\.path)).reduce(0) { total, path in
                total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            }
            var times: [Double] = []
            for _ in 0..<runs {
                let start = now()
                let volume = try stack.loadVolume()
                times.append(now() - start)
                precondition(volume.voxels.count == stack.geometry.voxelCount)
            }
            times.sort()
            let median = times[times.count / 2]
            let floatMB = Double(stack.geometry.voxelCount * 4) / 1e6
            print(String(format: "%@: %d slices, %.1f MB files, scan %.1f ms, load median %.1f ms (min %.1f): "
                         + "%.0f MB/s, %.0f slices/s; peak RSS %.1f MB (+%.1f MB while loading; float volume %.1f MB)",
                         (folder as NSString).lastPathComponent, stack.sliceCount, Double(bytes) / 1e6,
                         scanTime * 1e3, median * 1e3, times[0] * 1e3, Double(bytes) / 1e6 / median,
                         Double(stack.sliceCount) / median, Double(peakRSSBytes()) / 1e6,
                         Double(peakRSSBytes() - baseline) / 1e6, floatMB))
        }
    } catch {
        print("\(folder): \(error)")
    }
}
