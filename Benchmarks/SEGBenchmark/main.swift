// segd-bench-seg: DICOM-SEG write speed (not a test). `swift run -c release segd-bench-seg [--labels 10,100]
// [--runs 3] [--highdicom-runs 1] [--no-highdicom] [--slices 300] [--keep]`.
//
// Builds a synthetic 300-slice 512x512 CT series in a temporary folder (one real slice of the shared corpus,
// copied with new UIDs and positions by DCMTK's dcmodify), a 512x512x300 label map of N ellipsoids, and times
// SEGWriter (median of --runs) and highdicom on the same label map (check-seg's venv python).
import DICOM
import Foundation
import Glibc
import Imaging

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}
let labelCounts = option("--labels", "10,100").split(separator: ",").compactMap { Int($0) }
let runs = Int(option("--runs", "3")) ?? 3
let highdicomRuns = Int(option("--highdicom-runs", "1")) ?? 1
let withHighdicom = !arguments.contains("--no-highdicom")
let slices = Int(option("--slices", "300")) ?? 300

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"]
    ?? repoRoot.appendingPathComponent("../shared").standardizedFileURL.path
let python = NSString(string: "~/.cache/check-seg/venv/bin/python").expandingTildeInPath

@discardableResult
func run(_ tool: String, _ args: [String]) -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

func now() -> Double { Date().timeIntervalSinceReferenceDate }
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

// 1. Synthetic source series.
let work = FileManager.default.temporaryDirectory.appendingPathComponent("segd-bench-seg-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
// --keep leaves the folder (source series + SEGs) for inspection, e.g. with check-seg.
let keep = arguments.contains("--keep")
defer { if keep { print("kept \(work.path)") } else { try? FileManager.default.removeItem(at: work) } }
let template = shared + "/dicom/ct_philips_head_5mm"
let first = try FileManager.default.contentsOfDirectory(atPath: template).filter { !$0.hasSuffix(".json") }.sorted()
guard let slice = first.first else { fatalError("no template slice in \(template) (is ../shared present?)") }
let studyUID = "2.25.\(UInt64.random(in: 1...UInt64.max))"
let seriesUID = "2.25.\(UInt64.random(in: 1...UInt64.max))"
let forUID = "2.25.\(UInt64.random(in: 1...UInt64.max))"
let sourceDir = work.appendingPathComponent("source")
try FileManager.default.createDirectory(at: sourceDir, withIntermediateDirectories: true)
var t = now()
for k in 0..<slices {
    let path = sourceDir.appendingPathComponent(String(format: "ct%04d.dcm", k)).path
    try FileManager.default.copyItem(atPath: template + "/" + slice, toPath: path)
    let r = run("/usr/bin/dcmodify", ["-nb", "-imt",
        "-m", "(0008,0018)=2.25.\(UInt64.random(in: 1...UInt64.max))", "-m", "(0020,000D)=\(studyUID)",
        "-m", "(0020,000E)=\(seriesUID)", "-m", "(0020,0052)=\(forUID)", "-m", "(0020,0013)=\(k + 1)",
        "-m", "(0020,0032)=-115.5\\-1.85\\\(String(format: "%.1f", -700.0 + 5.0 * Double(k)))",
        "-m", "(0020,0037)=1\\0\\0\\0\\1\\0", path])
    if r.status != 0 { fatalError("dcmodify failed: \(r.output)") }
}
print("synthetic source: \(slices) slices in \(String(format: "%.1f", now() - t)) s")
let scan = try DICOMScanner.scan(directory: sourceDir.path)
guard let stack = scan.acceptedStacks.first, stack.sliceCount == slices else {
    fatalError("synthetic series not accepted: \(scan.series.map(\.reasons))")
}

// 2. Label maps and timings.
func labelMap(labels n: Int) -> LabelMap {
    var map = LabelMap(geometry: stack.geometry)
    let (nx, ny, nz) = (stack.geometry.size.x, stack.geometry.size.y, stack.geometry.size.z)
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
    let rxy = n <= 10 ? 70.0 : 28.0, rz = n <= 10 ? 60.0 : 25.0
    map.labels.withUnsafeMutableBufferPointer { buf in
        for l in 1...n {
            let cx: Double = rxy + next() * (Double(nx) - 2 * rxy)
            let cy: Double = rxy + next() * (Double(ny) - 2 * rxy)
            let cz: Double = rz + next() * (Double(nz) - 2 * rz)
            let c = (cx, cy, cz)
            for k in max(0, Int(c.2 - rz))..<min(nz, Int(c.2 + rz) + 1) {
                for j in max(0, Int(c.1 - rxy))..<min(ny, Int(c.1 + rxy) + 1) {
                    for i in max(0, Int(c.0 - rxy))..<min(nx, Int(c.0 + rxy) + 1) {
                        let dx: Double = (Double(i) - c.0) / rxy
                        let dy: Double = (Double(j) - c.1) / rxy
                        let dz: Double = (Double(k) - c.2) / rz
                        if dx * dx + dy * dy + dz * dz <= 1 { buf[i + nx * (j + ny * k)] = UInt8(l) }
                    }
                }
            }
        }
    }
    return map
}

let fileList = work.appendingPathComponent("files.txt")
try stack.sources.map(\.path).joined(separator: "\n").write(to: fileList, atomically: true, encoding: .utf8)
let options = SEGWriteOptions(algorithmName: "bench", algorithmVersion: "1.0", softwareVersion: "segd-bench")
for n in labelCounts {
    let map = labelMap(labels: n)
    var segments: [SegmentDescription] = []
    for l in 1...n {
        let color = RGB(UInt8(l * 37 % 256), UInt8(l * 91 % 256), 200)
        segments.append(SegmentDescription(label: UInt8(l), name: "label \(l)", category: .tissue, type: .tissue,
                                           color: color))
    }
    let out = work.appendingPathComponent("segd_\(n).dcm").path
    var times: [Double] = []
    var result: SEGWriteResult?
    for _ in 0..<runs {
        t = now()
        result = try SEGWriter.write(map, source: stack, segments: segments, options: options, to: out)
        times.append(now() - t)
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    print(String(format: "segd      %3d labels: median %.3f s of %@ s, %d frames, %.1f MB file, peak RSS %.0f MiB "
                 + "(label map %.0f MiB)", n, median(times), times.map { String(format: "%.3f", $0) }.joined(separator: "/"),
                 result?.frames ?? 0, Double(size) / 1e6, peakRSSMiB(), Double(map.labels.count) / 1048576))
    guard withHighdicom else { continue }
    let raw = work.appendingPathComponent("labels_\(n).raw")
    try map.labels.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: raw)
    let script = repoRoot.appendingPathComponent("Benchmarks/seg_highdicom_bench.py").path
    let r = run(python, [script, fileList.path, raw.path, "\(stack.geometry.size.x)", "\(stack.geometry.size.y)",
                         "\(stack.geometry.size.z)", "\(n)", "\(highdicomRuns)", work.appendingPathComponent("hd_\(n).dcm").path])
    guard r.status == 0, let line = r.output.split(separator: "\n").last,
          let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let hdTimes = json["times"] as? [Double] else {
        print("highdicom \(n) labels failed: \(r.output.suffix(400))")
        continue
    }
    let hd = median(hdTimes)
    print(String(format: "highdicom %3d labels: median %.3f s of %d run(s), %d frames; highdicom/segd = %.1fx",
                 n, hd, hdTimes.count, json["frames"] as? Int ?? 0, hd / median(times)))
    try? FileManager.default.removeItem(at: raw)
}
