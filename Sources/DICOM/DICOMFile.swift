internal import CDCMTKShim

/// One open DICOM file (a DCMTK `DcmFileFormat` behind the C shim). The only file that talks to the shim and
/// converts its errors. Not thread-safe: use one instance per task.
final class DICOMFile {
    private let handle: OpaquePointer
    let path: String

    /// The pixel module of a file.
    struct PixelInfo {
        var rows: Int, columns: Int, frames: Int
        var samplesPerPixel: Int, bitsAllocated: Int, bitsStored: Int, highBit: Int
        var isSigned: Bool, isMonochrome1: Bool
        var hasPixelData: Bool, isEncapsulated: Bool
        /// Value length of native pixel data in bytes; nil when encapsulated or absent.
        var nativeLength: Int?
        /// Compressed fragments after the offset table; nil when not encapsulated.
        var fragments: Int?
        var transferSyntax: String
    }

    /// Global DCMTK initialisation (idempotent, thread-safe).
    static func initialise() throws(DICOMError) {
        var error = dcmshim_error()
        if dcmshim_init(&error) != 0 { throw Self.convert(error) }
    }

    /// Opens `path`, reading at most `headerLimit` bytes as header (nil: `DICOMScanner.headerLimit`).
    init(path: String, headerLimit: Int? = nil) throws(DICOMError) {
        var error = dcmshim_error()
        guard let h = dcmshim_open_limited(path, UInt64(max(0, headerLimit ?? 0)), &error) else { throw Self.convert(error) }
        handle = h
        self.path = path
    }

    deinit { dcmshim_close(handle) }

    func string(_ tag: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        guard dcmshim_get_string(handle, tag, &buffer, buffer.count) != 0 else { return nil }
        return Self.decode(buffer)
    }

    func metaString(_ tag: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard dcmshim_get_meta_string(handle, tag, &buffer, buffer.count) != 0 else { return nil }
        return Self.decode(buffer)
    }

    func numbers(_ tag: UInt32) -> [Double] {
        var values = [Double](repeating: 0, count: 16)
        let n = dcmshim_get_numbers(handle, tag, &values, Int32(values.count))
        return Array(values.prefix(Int(n)))
    }

    func has(_ tag: UInt32) -> Bool { dcmshim_has_tag(handle, tag) != 0 }

    /// A numeric value from the functional groups of `frame` (per-frame, then shared).
    func frameNumbers(_ frame: Int, macro: UInt32, _ tag: UInt32) -> [Double] {
        var values = [Double](repeating: 0, count: 16)
        let n = dcmshim_get_frame_numbers(handle, UInt32(frame), macro, tag, &values, Int32(values.count))
        return Array(values.prefix(Int(n)))
    }

    func pixelInfo() throws(DICOMError) -> PixelInfo {
        var info = dcmshim_pixel_info()
        var error = dcmshim_error()
        if dcmshim_pixel_info_get(handle, &info, &error) != 0 { throw Self.convert(error) }
        let ts = withUnsafeBytes(of: info.transfer_syntax) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return PixelInfo(
            rows: Int(info.rows), columns: Int(info.columns), frames: Int(info.frames),
            samplesPerPixel: Int(info.samples_per_pixel), bitsAllocated: Int(info.bits_allocated),
            bitsStored: Int(info.bits_stored), highBit: Int(info.high_bit),
            isSigned: info.pixel_representation == 1, isMonochrome1: info.monochrome1 != 0,
            hasPixelData: info.has_pixel_data != 0, isEncapsulated: info.encapsulated != 0,
            nativeLength: info.pixel_data_length >= 0 ? Int(info.pixel_data_length) : nil,
            fragments: info.fragments >= 0 ? Int(info.fragments) : nil,
            transferSyntax: ts)
    }

    /// Decodes `frame` into `out` (rows × columns floats) applying the rescale.
    func decodeFrame(_ frame: Int, slope: Double, intercept: Double,
                     into out: UnsafeMutableBufferPointer<Float>) throws(DICOMError) {
        var error = dcmshim_error()
        guard let base = out.baseAddress else { throw DICOMError(.decode, "empty output buffer") }
        if dcmshim_decode_frame(handle, UInt32(frame), slope, intercept, base, out.count, &error) != 0 {
            var converted = Self.convert(error)
            converted.message = "\(path): \(converted.message)"
            throw converted
        }
    }

    private static func decode(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        // DICOM strings may be padded with spaces (or NUL for UIDs); trim both ends.
        return String(decoding: bytes, as: UTF8.self).trimmingSpaces
    }

    private static func convert(_ error: dcmshim_error) -> DICOMError {
        let message = withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let code: DICOMError.Code
        switch Int(error.code) {
        case Int(DCMSHIM_ERR_INIT): code = .initialisation
        case Int(DCMSHIM_ERR_NOT_DICOM), Int(DCMSHIM_ERR_READ), Int(DCMSHIM_ERR_MALFORMED): code = .unreadable
        case Int(DCMSHIM_ERR_NO_PIXELS), Int(DCMSHIM_ERR_UNSUPPORTED): code = .notAnImage
        default: code = .decode
        }
        return DICOMError(code, message.isEmpty ? "unknown DCMTK error \(error.code)" : message)
    }
}

extension String {
    /// The string without leading/trailing spaces and NULs (DICOM padding).
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\0" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\0" { s.removeLast() }
        return String(s)
    }
}
