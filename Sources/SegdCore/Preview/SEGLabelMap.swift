import DICOM
import Foundation
import Imaging

/// A DICOM-SEG read back onto its source series: a label map on the source grid and the segment descriptions
/// (colours from RecommendedDisplayCIELabValue), as `segd seg preview` draws them.
public struct SEGLabelMap: Sendable {
    public var labelMap: LabelMap
    public var segments: [SegmentDescription]

    /// Rasterises the SEG's frames onto `stack`'s grid. Segments are painted in segment-number order, so where
    /// segments overlap the higher number shows. Segment numbers above 255 are an error.
    public init(reader: SEGReader, stack: SeriesStack) throws {
        let g = stack.geometry
        guard reader.info.rows == g.size.y, reader.info.columns == g.size.x else {
            throw JobError(.preview, "the SEG is \(reader.info.columns)x\(reader.info.rows) but the source series is "
                           + "\(g.size.x)x\(g.size.y); give the folder of the series the SEG was made from")
        }
        var sliceOf: [String: Int] = [:]
        for (k, s) in stack.sources.enumerated() { sliceOf["\(s.sopInstanceUID)#\(s.frameNumber ?? 1)"] = k }
        var map = LabelMap(geometry: g)
        let order = reader.frames.indices.sorted { reader.frames[$0].segmentNumber < reader.frames[$1].segmentNumber }
        var unplaced = 0
        for f in order {
            let frame = reader.frames[f]
            guard (1...255).contains(frame.segmentNumber) else {
                throw JobError(.preview, "segment number \(frame.segmentNumber) does not fit a label map (1…255)")
            }
            let key = "\(frame.referencedSOPInstanceUID)#\(frame.referencedFrameNumber ?? 1)"
            guard let k = sliceOf[key] ?? Self.slice(at: frame.position, in: stack) else {
                unplaced += 1
                continue
            }
            let pixels = try reader.pixels(frame: f)
            let label = UInt8(frame.segmentNumber), base = k * g.sliceVoxelCount
            for i in 0..<pixels.count where pixels[i] != 0 { map.labels[base + i] = label }
        }
        if unplaced > 0 && unplaced == reader.frames.count {
            throw JobError(.preview, "no frame of the SEG lies on a slice of the source series; "
                           + "give the folder of the series the SEG was made from (see segd seg check)")
        }
        labelMap = map
        segments = reader.segments.compactMap { s in
            guard (1...255).contains(s.number) else { return nil }
            let colour = s.cieLab.map { Self.rgb(dicomCIELab: $0) } ?? Self.palette[(s.number - 1) % Self.palette.count]
            return SegmentDescription(label: UInt8(s.number), name: s.label, category: s.category, type: s.type,
                                      anatomicRegion: s.anatomicRegion, color: colour)
        }
    }

    static func slice(at position: Vector3?, in stack: SeriesStack) -> Int? {
        guard let p = position else { return nil }
        return stack.sources.firstIndex { ($0.imagePositionPatient - p).length <= 0.01 }
    }

    /// Colours for segments without a recommended display colour.
    static let palette: [RGB] = [RGB(230, 90, 70), RGB(250, 230, 90), RGB(80, 170, 250), RGB(110, 220, 120),
                                 RGB(220, 120, 230), RGB(250, 160, 60), RGB(90, 220, 220), RGB(240, 240, 240)]

    /// sRGB of a DICOM-scaled CIE L*a*b* value (PS3.3 C.10.7.1.1; D65), the inverse of `RGB.dicomCIELab`.
    public static func rgb(dicomCIELab v: [UInt16]) -> RGB {
        guard v.count == 3 else { return palette[0] }
        let l = Double(v[0]) / 65535 * 100, a = Double(v[1]) / 65535 * 255 - 128, b = Double(v[2]) / 65535 * 255 - 128
        let fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200
        func finv(_ t: Double) -> Double {
            let d = 6.0 / 29.0
            return t > d ? t * t * t : 3 * d * d * (t - 4.0 / 29.0)
        }
        let x = 0.95047 * finv(fx), y = finv(fy), z = 1.08883 * finv(fz)
        let r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z
        let g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z
        let bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z
        func encode(_ c: Double) -> UInt8 {
            let v = c <= 0.0031308 ? 12.92 * c : 1.055 * pow(max(c, 0), 1 / 2.4) - 0.055
            return UInt8(min(max(v * 255, 0), 255).rounded())
        }
        return RGB(encode(r), encode(g), encode(bl))
    }
}
