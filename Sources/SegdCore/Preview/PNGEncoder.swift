import CZlib
import Foundation

/// Writes an 8-bit RGB image as PNG (ISO/IEC 15948): signature, IHDR, one IDAT (zlib deflate of the rows, each
/// with the "Sub" filter), IEND. CRC-32 and deflate come from the system zlib.
public enum PNGEncoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func encode(_ image: RGBImage) throws(JobError) -> Data {
        guard image.width > 0, image.height > 0 else {
            throw JobError(.preview, "cannot encode an empty \(image.width)x\(image.height) image as PNG")
        }
        var out = Data(signature)
        var header = Data()
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        header.append(contentsOf: [8, 2, 0, 0, 0])  // bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", try deflate(filteredRows(image)), to: &out)
        appendChunk("IEND", Data(), to: &out)
        return out
    }

    /// Rows prefixed with filter type 1 ("Sub": each byte minus the byte of the pixel to its left).
    static func filteredRows(_ image: RGBImage) -> [UInt8] {
        let stride = image.width * 3
        var raw = [UInt8](repeating: 0, count: (stride + 1) * image.height)
        image.pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let s = y * stride, d = y * (stride + 1)
                    dst[d] = 1
                    for i in 0..<stride {
                        dst[d + 1 + i] = src[s + i] &- (i >= 3 ? src[s + i - 3] : 0)
                    }
                }
            }
        }
        return raw
    }

    static func deflate(_ bytes: [UInt8]) throws(JobError) -> Data {
        var size = compressBound(uLong(bytes.count))
        var buffer = [UInt8](repeating: 0, count: Int(size))
        let status = buffer.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &size, src.baseAddress, uLong(src.count), 6)
            }
        }
        guard status == Z_OK else { throw JobError(.preview, "zlib compress2 failed with status \(status)") }
        return Data(buffer.prefix(Int(size)))
    }

    static func appendChunk(_ type: String, _ body: Data, to out: inout Data) {
        out.appendBigEndian(UInt32(body.count))
        let typeAndBody = Data(type.utf8) + body
        out.append(typeAndBody)
        out.appendBigEndian(crc32(typeAndBody))
    }

    /// CRC-32 (ISO 3309, as PNG uses) of the bytes, from zlib.
    static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            UInt32(CZlib.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }
}

extension Data {
    mutating func appendBigEndian(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
    }
}
