import Foundation
import Imaging

/// Renders a preview of a segmentation: the axial, coronal and sagittal mid-planes of the source volume,
/// windowed for the modality, at their physical aspect ratio, with the segments as semi-transparent fills with
/// opaque outlines in their colours, orientation letters, and a legend of the segment names in their colours.
public enum SegPreview {
    /// Fill opacity of the segment overlay; outlines are drawn at `outlineOpacity`.
    public static let fillOpacity: Float = 0.35
    public static let outlineOpacity: Float = 0.9
    public static let background = RGB(20, 20, 24)

    /// Where the three planes sit in the preview image.
    public struct Panel: Sendable, Equatable {
        public var plane: PreviewPlane
        /// Top-left corner and size in image pixels.
        public var x: Int, y: Int, width: Int, height: Int
        /// The index of the slice shown, along the volume's index axis `normalIndexAxis` (0 = x, 1 = y, 2 = z).
        public var slice: Int
        public var normalIndexAxis: Int
    }

    /// The PNG preview. `labelMap` must be on the volume's grid (nil draws the anatomy only).
    public static func render(volume: Volume, labelMap: LabelMap?, segments: [SegmentDescription],
                              modality: String, panelSize: Int = 320) throws(JobError) -> Data {
        try PNGEncoder.encode(image(volume: volume, labelMap: labelMap, segments: segments, modality: modality,
                                    panelSize: panelSize).image)
    }

    /// The preview as a raster, with the panel layout.
    public static func image(volume: Volume, labelMap: LabelMap?, segments: [SegmentDescription], modality: String,
                             panelSize: Int = 320) throws(JobError) -> (image: RGBImage, panels: [Panel]) {
        let g = volume.geometry
        guard g.voxelCount > 0 else { throw JobError(.preview, "cannot preview an empty volume") }
        if let labelMap, labelMap.geometry.size != g.size {
            throw JobError(.preview, "the label map (\(labelMap.geometry.size)) is not on the volume's grid (\(g.size)); "
                           + "resample it onto the source series first")
        }
        guard g.direction.inverse != nil else {
            throw JobError(.preview, "the volume's direction matrix is singular; check the series geometry with segd inspect")
        }
        let extents = [Double(g.size.x) * g.spacing.x, Double(g.size.y) * g.spacing.y, Double(g.size.z) * g.spacing.z]
        let mmPerPixel = extents.max()! / Double(max(16, panelSize))
        let window = PreviewWindow.forModality(modality, voxels: volume.voxels)
        let samplers = PreviewPlane.allCases.map { PlaneSampler(geometry: g, plane: $0, mmPerPixel: mmPerPixel) }

        let margin = 12, titleHeight = 7 * 2 + 6, gap = 12
        let panelsHeight = samplers.map(\.height).max()!
        let legend = LegendLayout(segments: segments, maxWidth: samplers.map(\.width).reduce(0, +) + 2 * gap)
        let width = margin * 2 + samplers.map(\.width).reduce(0, +) + gap * (samplers.count - 1)
        let height = margin + titleHeight + panelsHeight + (legend.height > 0 ? gap + legend.height : 0) + margin
        var image = RGBImage(width: max(width, legend.width + 2 * margin), height: height, fill: background)
        var colours: [UInt8: RGB] = [:]
        for s in segments { colours[s.label] = s.color }

        var panels: [Panel] = []
        var x = margin
        for sampler in samplers {
            let y = margin + titleHeight
            BitmapFont.draw(sampler.plane.title, into: &image, x: x, y: margin, color: RGB(200, 200, 200), scale: 2)
            let grey = sampler.values(volume.voxels)
            for py in 0..<sampler.height {
                for px in 0..<sampler.width {
                    let v = window.grey(grey[py * sampler.width + px])
                    image[x + px, y + py] = RGB(v, v, v)
                }
            }
            if let labelMap {
                overlay(sampler.labels(labelMap.labels), width: sampler.width, height: sampler.height, colours: colours,
                        into: &image, x: x, y: y)
            }
            letters(sampler.plane, into: &image, x: x, y: y, width: sampler.width, height: sampler.height)
            panels.append(Panel(plane: sampler.plane, x: x, y: y, width: sampler.width, height: sampler.height,
                                slice: sampler.slice, normalIndexAxis: sampler.normalAxis))
            x += sampler.width + gap
        }
        legend.draw(into: &image, x: margin, y: margin + titleHeight + panelsHeight + gap)
        return (image, panels)
    }

    /// Semi-transparent fill, opaque outline (label pixels with a 4-neighbour of another label or the edge).
    static func overlay(_ labels: [UInt8], width: Int, height: Int, colours: [UInt8: RGB], into image: inout RGBImage,
                        x: Int, y: Int) {
        for py in 0..<height {
            for px in 0..<width {
                let l = labels[py * width + px]
                guard l != 0, let c = colours[l] else { continue }
                let edge = px == 0 || py == 0 || px == width - 1 || py == height - 1
                    || labels[py * width + px - 1] != l || labels[py * width + px + 1] != l
                    || labels[(py - 1) * width + px] != l || labels[(py + 1) * width + px] != l
                image.blend(x: x + px, y: y + py, c, alpha: edge ? outlineOpacity : fillOpacity)
            }
        }
    }

    static func letters(_ plane: PreviewPlane, into image: inout RGBImage, x: Int, y: Int, width: Int, height: Int) {
        let c = RGB(255, 255, 160), l = plane.edgeLetters
        let scale = min(width, height) >= 120 ? 2 : 1
        let w = BitmapFont.glyphWidth * scale, h = BitmapFont.glyphHeight * scale
        guard width >= 3 * w + 8, height >= 3 * h + 8 else { return }
        BitmapFont.draw(l.top, into: &image, x: x + (width - w) / 2, y: y + 3, color: c, scale: scale)
        BitmapFont.draw(l.bottom, into: &image, x: x + (width - w) / 2, y: y + height - h - 3, color: c, scale: scale)
        BitmapFont.draw(l.left, into: &image, x: x + 3, y: y + (height - h) / 2, color: c, scale: scale)
        BitmapFont.draw(l.right, into: &image, x: x + width - w - 3, y: y + (height - h) / 2, color: c, scale: scale)
    }
}

/// The legend: a colour swatch and the segment name in its colour, per segment, wrapped into rows.
struct LegendLayout {
    static let scale = 2
    static let rowHeight = 7 * scale + 8
    var items: [(segment: SegmentDescription, x: Int, y: Int)] = []
    var width = 0, height = 0

    init(segments: [SegmentDescription], maxWidth: Int) {
        var x = 0, y = 0
        for s in segments.sorted(by: { $0.label < $1.label }) {
            let w = Self.rowHeight + BitmapFont.width(of: s.name, scale: Self.scale) + 20
            if x > 0 && x + w > maxWidth {
                x = 0
                y += Self.rowHeight
            }
            items.append((s, x, y))
            x += w
            width = max(width, x)
        }
        height = items.isEmpty ? 0 : y + Self.rowHeight
    }

    func draw(into image: inout RGBImage, x: Int, y: Int) {
        let box = 7 * Self.scale
        for item in items {
            image.fillRect(x: x + item.x, y: y + item.y, width: box, height: box, item.segment.color)
            BitmapFont.draw(item.segment.name, into: &image, x: x + item.x + box + 6, y: y + item.y,
                            color: item.segment.color, scale: Self.scale)
        }
    }
}
