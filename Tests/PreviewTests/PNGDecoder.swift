import CZlib
import Foundation

/// A strict PNG reader for the tests: 8-bit RGB, non-interlaced, every chunk CRC checked, IDAT inflated with zlib
/// and all five row filters undone. Independent of the encoder's code.
struct DecodedPNG {
    var width: Int
    var height: Int
    var pixels: [UInt8]  // RGB, row by row
    var chunkTypes: [String]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure(description: "no PNG signature")
        }
        func be32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        var offset = 8
        var idat: [UInt8] = []
        var types: [String] = []
        var w = 0, h = 0
        while offset + 12 <= bytes.count {
            let length = be32(offset)
            guard offset + 12 + length <= bytes.count else { throw Failure(description: "truncated chunk") }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            let crcStored = UInt32(be32(offset + 8 + length))
            let crc = Array(bytes[(offset + 4)..<(offset + 8 + length)]).withUnsafeBufferPointer {
                UInt32(crc32(0, $0.baseAddress, uInt($0.count)))
            }
            guard crc == crcStored else { throw Failure(description: "bad CRC in \(type)") }
            types.append(type)
            if type == "IHDR" {
                guard length == 13 else { throw Failure(description: "IHDR length \(length)") }
                w = be32(offset + 8)
                h = be32(offset + 12)
                guard Array(body[8..<13]) == [8, 2, 0, 0, 0] else { throw Failure(description: "not 8-bit RGB: \(body[8..<13])") }
            } else if type == "IDAT" {
                idat += body
            }
            offset += 12 + length
            if type == "IEND" { break }
        }
        guard types.first == "IHDR", types.last == "IEND", offset == bytes.count else {
            throw Failure(description: "bad chunk order \(types) or trailing bytes")
        }
        let stride = w * 3
        var raw = [UInt8](repeating: 0, count: (stride + 1) * h)
        var size = uLong(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { dst in
            idat.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &size, src.baseAddress, uLong(src.count)) }
        }
        guard status == Z_OK, Int(size) == raw.count else { throw Failure(description: "inflate: status \(status), \(size) bytes") }
        var out = [UInt8](repeating: 0, count: stride * h)
        for y in 0..<h {
            let filter = raw[y * (stride + 1)]
            for i in 0..<stride {
                let x = raw[y * (stride + 1) + 1 + i]
                let a = i >= 3 ? Int(out[y * stride + i - 3]) : 0
                let b = y > 0 ? Int(out[(y - 1) * stride + i]) : 0
                let c = (i >= 3 && y > 0) ? Int(out[(y - 1) * stride + i - 3]) : 0
                let pred: Int
                switch filter {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = b
                case 3: pred = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    pred = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "filter \(filter)")
                }
                out[y * stride + i] = UInt8((Int(x) + pred) & 0xFF)
            }
        }
        width = w
        height = h
        pixels = out
        chunkTypes = types
    }

    subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let o = (y * width + x) * 3
        return (pixels[o], pixels[o + 1], pixels[o + 2])
    }
}
