import Foundation

/// Writes a synthetic series cheaply from one real slice: the slice's bytes with new SOPInstanceUID,
/// InstanceNumber and ImagePositionPatient per file (and optionally a new SeriesInstanceUID).
///
/// Handles the layout of the small fixture slices: a Part 10 file whose meta group is explicit VR little
/// endian and whose data set is implicit VR little endian without undefined-length sequences. Anything else
/// is refused (not silently mangled).
struct SyntheticSeries {
    let meta: [UInt8]
    /// Top-level data set elements: tag and value bytes.
    let elements: [(tag: UInt32, value: [UInt8])]
    let origin: [Double]
    let sliceSpacing: Double

    static let sopInstanceUID: UInt32 = 0x0008_0018
    static let seriesInstanceUID: UInt32 = 0x0020_000E
    static let instanceNumber: UInt32 = 0x0020_0013
    static let imagePosition: UInt32 = 0x0020_0032
    static let mediaStorageSOPInstanceUID: UInt32 = 0x0002_0003

    init(template url: URL, sliceSpacing: Double = 2.5) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count > 144, Array(bytes[128..<132]) == Array("DICM".utf8) else { throw Hostile.Failure("\(url.path): not Part 10") }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        // (0002,0000) UL: the meta group's length after this element.
        guard u16(132) == 2, u16(134) == 0 else { throw Hostile.Failure("no meta group length") }
        let metaEnd = 132 + 12 + u32(140)
        meta = Array(bytes[0..<metaEnd])
        var elements: [(UInt32, [UInt8])] = []
        var i = metaEnd
        while i + 8 <= bytes.count {
            let tag = UInt32(u16(i)) << 16 | UInt32(u16(i + 2))
            let length = u32(i + 4)
            guard length != 0xFFFF_FFFF, i + 8 + length <= bytes.count else {
                throw Hostile.Failure("\(url.path): undefined or overlong length at tag \(String(tag, radix: 16))")
            }
            elements.append((tag, Array(bytes[(i + 8)..<(i + 8 + length)])))
            i += 8 + length
        }
        self.elements = elements
        guard let ipp = elements.first(where: { $0.0 == Self.imagePosition }) else { throw Hostile.Failure("no ImagePositionPatient") }
        origin = String(decoding: ipp.1, as: UTF8.self).trimmingCharacters(in: .whitespaces).split(separator: "\\").compactMap { Double($0) }
        guard origin.count == 3 else { throw Hostile.Failure("bad ImagePositionPatient") }
        self.sliceSpacing = sliceSpacing
    }

    /// A 64-character UID for slice `index` (the meta group's SOP instance UID is patched in place, so every
    /// UID has the template's 64 characters).
    static func instanceUID(_ index: Int, salt: UInt32) -> String {
        let stem = "1.2.826.0.1.3680043.2.1125.1.\(salt)."
        let number = String(index + 1)
        return stem + String(repeating: "9", count: 64 - stem.count - number.count) + number
    }

    /// The file of slice `index`; `seriesUID` replaces the series' UID (any bytes, made even with a NUL).
    func file(_ index: Int, salt: UInt32, seriesUID: [UInt8]? = nil, positionValue: [UInt8]? = nil,
              numberValue: [UInt8]? = nil) -> Data {
        let uid = Array(Self.instanceUID(index, salt: salt).utf8)
        var out = meta
        // Patch the meta's MediaStorageSOPInstanceUID (explicit VR: tag, "UI", 2-byte length) in place.
        var j = 144
        while j + 8 <= out.count {
            let tag = UInt32(out[j]) | UInt32(out[j + 1]) << 8
            let element = UInt32(out[j + 2]) | UInt32(out[j + 3]) << 8
            let vr = String(decoding: out[(j + 4)..<(j + 6)], as: UTF8.self)
            let long = ["OB", "OW", "OF", "SQ", "UT", "UN"].contains(vr)
            let length = long ? Int(out[j + 8]) | Int(out[j + 9]) << 8 | Int(out[j + 10]) << 16 | Int(out[j + 11]) << 24
                : Int(out[j + 6]) | Int(out[j + 7]) << 8
            let start = j + (long ? 12 : 8)
            if tag << 16 | element == Self.mediaStorageSOPInstanceUID, length == uid.count {
                out.replaceSubrange(start..<(start + length), with: uid)
            }
            j = start + length
        }
        let z = origin[2] + Double(index) * sliceSpacing
        let position = Array(String(format: "%.4f\\%.4f\\%.4f", origin[0], origin[1], z).utf8)
        for (tag, value) in elements {
            var v = value
            switch tag {
            case Self.sopInstanceUID: v = uid
            case Self.instanceNumber: v = numberValue ?? Array(String(index + 1).utf8)
            case Self.imagePosition: v = positionValue ?? position
            case Self.seriesInstanceUID: v = seriesUID ?? value
            default: break
            }
            if v.count % 2 == 1 { v.append(tag == Self.sopInstanceUID || tag == Self.seriesInstanceUID ? 0 : 0x20) }
            out += [UInt8(tag >> 16 & 0xFF), UInt8(tag >> 24), UInt8(tag & 0xFF), UInt8(tag >> 8 & 0xFF)]
            let n = UInt32(v.count)
            out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            out += v
        }
        return Data(out)
    }

    /// Writes `count` slices as `folder/S000001.dcm`, ... like `write`, fast: one file is laid out with
    /// fixed-width values (64-character UIDs, position and instance number padded), then each slice is that
    /// file with three byte ranges overwritten.
    func writeFast(count: Int, to folder: URL, seriesUID: [UInt8]? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let salt = UInt32.random(in: 1...999_999)
        let width = 48
        func position(_ i: Int) -> [UInt8] {
            let z = origin[2] + Double(i) * sliceSpacing
            let text = Array(String(format: "%.4f\\%.4f\\%.4f", origin[0], origin[1], z).utf8)
            return text + [UInt8](repeating: 0x20, count: width - text.count)
        }
        func number(_ i: Int) -> [UInt8] { Array(String(format: "%8d", i + 1).utf8) }
        // Marker values of the final widths, found again in the laid-out bytes.
        let first = [UInt8](file(0, salt: salt, seriesUID: seriesUID, positionValue: position(0), numberValue: number(0)))
        func offsets(of needle: [UInt8]) -> [Int] {
            var found: [Int] = []
            var i = 0
            while i + needle.count <= first.count {
                if first[i] == needle[0] && Array(first[i..<(i + needle.count)]) == needle { found.append(i); i += needle.count } else { i += 1 }
            }
            return found
        }
        let uidAt = offsets(of: Array(Self.instanceUID(0, salt: salt).utf8))
        let positionAt = offsets(of: position(0))
        let numberAt = offsets(of: number(0))
        guard uidAt.count == 2, positionAt.count == 1, numberAt.count == 1 else { throw Hostile.Failure("cannot lay out the template") }
        var bytes = first
        for i in 0..<count {
            for at in uidAt { bytes.replaceSubrange(at..<(at + 64), with: Array(Self.instanceUID(i, salt: salt).utf8)) }
            bytes.replaceSubrange(positionAt[0]..<(positionAt[0] + width), with: position(i))
            bytes.replaceSubrange(numberAt[0]..<(numberAt[0] + 8), with: number(i))
            let name = String(format: "S%06d.dcm", i + 1)
            let temporary = folder.appendingPathComponent("." + name)
            try Data(bytes).write(to: temporary)
            guard rename(temporary.path, folder.appendingPathComponent(name).path) == 0 else {
                throw Hostile.Failure("cannot rename \(temporary.path)")
            }
        }
    }

    /// Writes `count` slices as `folder/S000001.dcm`, ... (written under a dot name, then renamed, as a careful
    /// sender does).
    func write(count: Int, to folder: URL, seriesUID: [UInt8]? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let salt = UInt32.random(in: 1...999_999)
        for i in 0..<count {
            let name = String(format: "S%06d.dcm", i + 1)
            let temporary = folder.appendingPathComponent("." + name)
            try file(i, salt: salt, seriesUID: seriesUID).write(to: temporary)
            guard rename(temporary.path, folder.appendingPathComponent(name).path) == 0 else {
                throw Hostile.Failure("cannot rename \(temporary.path)")
            }
        }
    }
}
