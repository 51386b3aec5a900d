// libFuzzer target in Swift: series assembly end to end, as the daemon's worker does it.
// The input is split at every "\n--SEGD-FILE--\n" into files; they are scanned together with
// DICOMScanner.scan(files:) (headers, grouping, sorting, geometry checks) and every accepted stack of at most
// `maxVoxels` voxels is decoded with SeriesStack.loadVolume(). Errors are expected; crashes, traps and hangs
// are not. Built by Tests/Fuzz/run.sh (target `series`).
import DICOM
import Glibc

let separator: [UInt8] = Array("\n--SEGD-FILE--\n".utf8)
let maxFiles = 16
let maxVoxels = 1 << 18  // seeds have < 3,000 voxels; bigger decodes only slow the search down

/// Splits `bytes` at each occurrence of `separator`.
func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [ArraySlice<UInt8>] {
    let all = Array(bytes)
    var parts: [ArraySlice<UInt8>] = []
    var start = 0, i = 0
    while i + separator.count <= all.count && parts.count < maxFiles - 1 {
        if all[i] == separator[0] && all[i..<(i + separator.count)].elementsEqual(separator) {
            parts.append(all[start..<i])
            i += separator.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(all[start...])
    return parts
}

/// Inputs are written to a per-process folder in $SEGD_FUZZ_TMP (run.sh: a fresh tmpfs folder it removes) or
/// /dev/shm; memfd_create is not visible from Swift's Glibc.
let folder: String = {
    let base = getenv("SEGD_FUZZ_TMP").map { String(cString: $0) } ?? "/dev/shm"
    let path = "\(base)/segd-fuzz-series-\(getpid())"
    mkdir(path, 0o700)
    return path
}()

/// Writes `bytes` to file number `index` of the folder and returns its path.
func writeFile(_ bytes: ArraySlice<UInt8>, index: Int) -> String {
    let path = "\(folder)/\(index).dcm"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    defer { close(fd) }
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            guard n > 0 else { fatalError("cannot write \(path)") }
            done += n
        }
    }
    return path
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = split(UnsafeBufferPointer(start: data, count: size))
    let paths = parts.indices.map { writeFile(parts[$0], index: $0) }
    defer { for path in paths { unlink(path) } }
    do throws(DICOMError) {
        let scan = try DICOMScanner.scan(files: paths)
        for report in scan.series {
            guard report.status == .accepted, let stack = report.stack,
                  stack.geometry.voxelCount <= maxVoxels else { continue }
            let volume = try stack.loadVolume()
            if volume.voxels.count != stack.geometry.voxelCount { fatalError("volume size mismatch") }
        }
    } catch {
        if error.message.isEmpty { fatalError("error without a message") }
    }
    return 0
}
