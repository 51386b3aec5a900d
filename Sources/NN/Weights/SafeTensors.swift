import Foundation

/// Element types a safetensors file may hold (the subset NN reads).
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f16, .bf16: 2
        case .f32, .i32: 4
        case .f64, .i64: 8
        }
    }

    var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }
}

/// A read-only, memory-mapped `.safetensors` file (Hugging Face format: 8-byte little-endian header length,
/// JSON header `{name: {dtype, shape, data_offsets}, "__metadata__": {...}}`, then raw little-endian data).
///
/// The header and every entry's offsets are validated on open; a truncated or corrupt file throws
/// `NNError(.badFile, ...)` and never crashes.
public final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header entry.
    public struct Entry: Sendable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range inside the data section.
        let begin: Int, end: Int
    }

    /// Header entries by name.
    public let entries: [String: Entry]
    /// The free-form `__metadata__` strings (e.g. `{"format": "pt"}`).
    public let metadata: [String: String]
    /// The file's path (for error messages).
    public let path: String

    private let base: UnsafeRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    /// Tensor names in a stable (sorted) order.
    public var names: [String] { entries.keys.sorted() }

    /// Opens and validates `path`.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw NNError(.io, "cannot open weights file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw NNError(.io, "cannot stat \(path)") }
        let size = Int(st.st_size)
        guard size >= 8 else {
            throw NNError(.badFile, "\(path) is \(size) bytes, too short to be a safetensors file (truncated?)")
        }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw NNError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(m)
        mappedLength = size
        do {
            let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
            guard headerLength > 0, headerLength <= size - 8 else {
                throw NNError(.badFile, "\(path): header length \(headerLength) exceeds the file size \(size) (truncated or not a safetensors file)")
            }
            dataStart = 8 + headerLength
            let headerData = Data(bytes: base + 8, count: headerLength)
            (entries, metadata) = try SafeTensorsFile.parseHeader(headerData, dataSize: size - dataStart, path: path)
        } catch {
            munmap(m, size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }

    static func parseHeader(_ data: Data, dataSize: Int, path: String) throws -> ([String: Entry], [String: String]) {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw NNError(.badFile, "\(path): the safetensors header is not valid JSON (corrupt file?)")
        }
        guard let dict = json as? [String: Any] else {
            throw NNError(.badFile, "\(path): the safetensors header is not a JSON object")
        }
        var entries: [String: Entry] = [:], metadata: [String: String] = [:]
        for (name, value) in dict {
            if name == "__metadata__" {
                guard let md = value as? [String: Any] else {
                    throw NNError(.badFile, "\(path): __metadata__ is not an object")
                }
                for (k, v) in md { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let e = value as? [String: Any], let dt = e["dtype"] as? String,
                  let shapeAny = e["shape"] as? [Any], let offAny = e["data_offsets"] as? [Any], offAny.count == 2 else {
                throw NNError(.badFile, "\(path): header entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = SafeTensorsDType(rawValue: dt) else {
                throw NNError(.badFile, "\(path): tensor '\(name)' has dtype \(dt); supported are F32, F16, BF16, F64, I64, I32")
            }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = offAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offs.count == 2 else {
                throw NNError(.badFile, "\(path): tensor '\(name)' has a malformed shape or data_offsets")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
            }
            guard !overflow, offs[0] >= 0, offs[1] >= offs[0], offs[1] - offs[0] == count * dtype.size else {
                throw NNError(.badFile, "\(path): tensor '\(name)' \(shapeString(shape)) \(dt) has data_offsets \(offs) of the wrong length")
            }
            guard offs[1] <= dataSize else {
                throw NNError(.badFile, "\(path): tensor '\(name)' ends at byte \(offs[1]) of a \(dataSize)-byte data section (file truncated?)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, begin: offs[0], end: offs[1])
        }
        return (entries, metadata)
    }

    private func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else {
            throw NNError(.missingWeight, "\(path) has no tensor '\(name)'")
        }
        return e
    }

    /// The tensor `name` converted to float32 (from F32, F16, BF16 or F64).
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        guard e.dtype.isFloat else {
            throw NNError(.weightShapeMismatch, "\(path): tensor '\(name)' is \(e.dtype.rawValue), expected a float type")
        }
        let src = base + dataStart + e.begin
        defer { dropPages(e) }
        return Tensor(shape: e.shape) { out in
            let n = out.count
            switch e.dtype {
            case .f32:
                UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: src, byteCount: n * 4)
                #if _endian(big)
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
                #endif
            case .f16:
                for i in 0..<n {
                    out[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                }
            case .bf16:
                for i in 0..<n {
                    let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(h) << 16)
                }
            case .f64:
                for i in 0..<n {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .i64, .i32:
                break
            }
        }
    }

    /// Releases the mapped pages of an entry that has been copied out, so a large weights file does not stay
    /// resident next to the tensors made from it (the file can still be read again; pages refault on demand).
    private func dropPages(_ e: Entry) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (dataStart + e.begin + page - 1) / page * page, end = (dataStart + e.end) / page * page
        if end > start { _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED) }
    }

    /// The integer tensor `name` (I64 or I32) as `Int64`s in row-major order.
    public func int64Array(_ name: String) throws -> [Int64] {
        let e = try entry(name)
        let n = e.shape.reduce(1, *)
        let src = base + dataStart + e.begin
        switch e.dtype {
        case .i64:
            return (0..<n).map { Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .i32:
            return (0..<n).map { Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        default:
            throw NNError(.weightShapeMismatch, "\(path): tensor '\(name)' is \(e.dtype.rawValue), expected I64 or I32")
        }
    }
}
