import Foundation
import Testing

/// Helpers for the hostile-input tests: files with arbitrary byte names, synthetic series, the daemon's memory
/// and I/O counters from /proc, configuration tweaks.
enum Hostile {
    static let smallCT = DaemonHarness.repoRoot.appendingPathComponent("Tests/Fixtures/dicom/seg_ref_dcmqi_23x38x3/source")
    static let slice = smallCT.appendingPathComponent("IMG0001.dcm")

    /// A rule set that matches no CT: a dropped CT series is read by a worker and ends `unrouted` at once,
    /// without inference (keeps tests that only look at the ingest fast).
    static let mrOnly = """
        [[rule]]
        name = "mr-only"
        models = ["utnet-test"]
        when = [ { field = "Modality", equals = "MR" } ]
        """

    /// Creates (or replaces) the file at the raw byte path `path` through `open(2)`, so names need not be UTF-8.
    static func writeFile(_ path: [UInt8], contents: Data) throws {
        var cpath = path + [0]
        let fd = cpath.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) {
                open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            }
        }
        guard fd >= 0 else { throw Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try contents.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                guard n > 0 else { throw Failure("cannot write \(path): \(String(cString: strerror(errno)))") }
                off += n
            }
        }
    }

    /// Creates the folder at the raw byte path `path`.
    static func makeFolder(_ path: [UInt8]) throws {
        var cpath = path + [0]
        let ok = cpath.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { mkdir($0, 0o755) == 0 }
        }
        guard ok else { throw Failure("cannot create folder \(path): \(String(cString: strerror(errno)))") }
    }

    /// `folder/name` as raw bytes.
    static func join(_ folder: String, _ name: [UInt8]) -> [UInt8] { Array(folder.utf8) + [47] + name }

    /// Every entry name (raw bytes) under `folder`, recursively, without following symbolic links, as paths
    /// relative to `folder` (byte arrays joined by `/`).
    static func rawTree(_ folder: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        func walk(_ dir: [UInt8], _ relative: [UInt8]) {
            var cpath = dir + [0]
            let handle = cpath.withUnsafeMutableBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { opendir($0) }
            }
            guard let handle else { return }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if name == [46] || name == [46, 46] { continue }
                let rel = relative.isEmpty ? name : relative + [47] + name
                out.append(rel)
                if entry.pointee.d_type == UInt8(DT_DIR) { walk(dir + [47] + name, rel) }
            }
        }
        walk(Array(folder.utf8), [])
        return out
    }

    /// The daemon's memory and I/O figures from /proc.
    struct ProcessFigures {
        /// Resident set now, and its peak over the process's life (kB → bytes).
        var rss: Int
        var peakRSS: Int
        /// Bytes the process asked `read(2)` & co. for (`rchar`: page cache included).
        var bytesRead: Int
    }

    static func figures(pid: Int32) -> ProcessFigures {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let io = (try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)) ?? ""
        func field(_ text: String, _ key: String) -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
                let number = line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) } ?? 0
                return number
            }
            return 0
        }
        return ProcessFigures(rss: field(status, "VmRSS") * 1024, peakRSS: field(status, "VmHWM") * 1024,
                              bytesRead: field(io, "rchar"))
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    /// A harness whose configuration gets `extraPaths` lines in `[paths]` and the given rescan interval.
    static func harness(processing: String = "", rules: String = DaemonHarness.ctRule, extraPaths: String = "",
                        rescanSeconds: Int = 0, quietSeconds: Int = 2) throws -> DaemonHarness {
        let d = try DaemonHarness(processing: processing, rules: rules)
        d.configText = d.configText
            .replacingOccurrences(of: "[paths]\n", with: "[paths]\n\(extraPaths)\n")
            .replacingOccurrences(of: "quietSeconds = 2", with: "quietSeconds = \(quietSeconds)")
            .replacingOccurrences(of: "rescanSeconds = 0", with: "rescanSeconds = \(rescanSeconds)")
        try Data(d.configText.utf8).write(to: d.configURL)
        return d
    }

    /// Runs segctl against the harness's daemon with `--json`; returns the decoded object.
    static func segctl(_ d: DaemonHarness, _ args: [String]) throws -> (Int32, Any?, String) {
        let segctl = DaemonHarness.buildFolder.appendingPathComponent("segctl").path
        let socket = d.root.appendingPathComponent("control.sock").path
        let (status, text) = try DaemonHarness.run(segctl, args + ["--socket", socket, "--json"])
        return (status, try? JSONSerialization.jsonObject(with: Data(text.utf8)), text)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
