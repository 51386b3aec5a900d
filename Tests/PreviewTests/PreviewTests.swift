import CZlib
import Foundation
import Imaging
import SegdCore
import Testing

/// The preview renderer on a synthetic CT: PNG validity, where the overlay is, orientation, windowing.
@Suite struct PreviewTests {
    /// 40 × 30 × 20 voxels of 1 × 1 × 2 mm, identity direction (x → patient left, y → posterior, z → superior).
    /// A soft-tissue box fills the middle; label 1 (pure green) is a bone box that crosses all three mid-planes
    /// off-centre (towards the patient's left, anterior and superior, so that any flip moves it); label 2 (pure blue)
    /// a small cube on the patient's right, posterior, inferior, on no mid-plane.
    static func synthetic() -> (Volume, LabelMap, [SegmentDescription]) {
        let g = Geometry(size: SIMD3(40, 30, 20), spacing: Vector3(1, 1, 2), origin: Vector3(-20, -15, 0),
                         direction: .identity)
        var v = Volume(geometry: g, repeating: -1000)
        var l = LabelMap(geometry: g)
        for k in 0..<20 { for j in 2..<28 { for i in 2..<38 { v[i, j, k] = 40 } } }
        for k in 8..<18 { for j in 5..<16 { for i in 15..<35 { v[i, j, k] = 700; l[i, j, k] = 1 } } }
        for k in 1..<4 { for j in 20..<26 { for i in 4..<10 { l[i, j, k] = 2 } } }
        let tissue = CodedConcept(scheme: "SCT", value: "85756007", meaning: "Tissue")
        let segments = [
            SegmentDescription(label: 1, name: "Green cube", category: tissue, type: tissue, color: RGB(0, 255, 0)),
            SegmentDescription(label: 2, name: "Blue cube", category: tissue, type: tissue, color: RGB(0, 0, 255)),
        ]
        return (v, l, segments)
    }

    static func render() throws -> (DecodedPNG, [SegPreview.Panel], RGBImage) {
        let (v, l, s) = synthetic()
        let (image, panels) = try SegPreview.image(volume: v, labelMap: l, segments: s, modality: "CT")
        let png = try SegPreview.render(volume: v, labelMap: l, segments: s, modality: "CT")
        return (try DecodedPNG(png), panels, image)
    }

    @Test func pngDecodesBackToTheRaster() throws {
        let (png, _, image) = try Self.render()
        #expect(png.chunkTypes.first == "IHDR" && png.chunkTypes.last == "IEND" && png.chunkTypes.contains("IDAT"))
        #expect(png.width == image.width && png.height == image.height)
        #expect(png.pixels == image.pixels, "decoded pixels differ from the rendered raster")
    }

    @Test func panelsHaveThePhysicalAspectRatio() throws {
        let (_, panels, _) = try Self.render()
        // Largest extent 40 mm (x, and z = 20 × 2 mm) over 320 px: 8 px per mm.
        let size = panels.map { [$0.plane.rawValue: [$0.width, $0.height]] }
        #expect(size == [["axial": [320, 240]], ["coronal": [320, 320]], ["sagittal": [240, 320]]])
        #expect(panels.map(\.slice) == [10, 15, 20])
    }

    /// Pixels of the panel where the overlay colour dominates the grey (g or b well above r).
    static func overlayPixels(_ png: DecodedPNG, _ p: SegPreview.Panel, green: Bool) -> Set<[Int]> {
        var out = Set<[Int]>()
        for y in 0..<p.height {
            for x in 0..<p.width {
                let c = png[p.x + x, p.y + y]
                let channel = green ? Int(c.g) : Int(c.b)
                if channel > Int(c.r) + 40 { out.insert([x, y]) }
            }
        }
        return out
    }

    /// Every overlay pixel lies in `rect` (x0, y0, x1, y1, exclusive ends) within 1 pixel, and the rect's inside
    /// is covered, apart from the orientation letters.
    static func check(_ pixels: Set<[Int]>, rect: (Int, Int, Int, Int), _ what: String) {
        let (x0, y0, x1, y1) = rect
        let outside = pixels.filter { $0[0] < x0 - 1 || $0[0] > x1 || $0[1] < y0 - 1 || $0[1] > y1 }
        #expect(outside.isEmpty, "\(what): \(outside.count) overlay pixels outside the label, e.g. \(outside.first ?? [])")
        let inside = (x1 - x0 - 2) * (y1 - y0 - 2)
        let covered = pixels.filter { $0[0] > x0 && $0[0] < x1 - 1 && $0[1] > y0 && $0[1] < y1 - 1 }.count
        #expect(covered == inside, "\(what): \(covered) of \(inside) inside pixels show the overlay")
    }

    @Test func overlayIsWhereTheLabelIsAndRadiologicallyOriented() throws {
        let (png, panels, _) = try Self.render()
        let axial = panels[0], coronal = panels[1], sagittal = panels[2]
        // 8 px per mm. Axial (z = 10): columns towards patient left (x 15…34 → 120…280), rows towards posterior
        // (y 5…15 → 40…128): anterior up, patient left on the image right.
        Self.check(Self.overlayPixels(png, axial, green: true), rect: (120, 40, 280, 128), "axial")
        // Coronal (y = 15): columns x, rows superior up (z 17…8 → rows 32…192).
        Self.check(Self.overlayPixels(png, coronal, green: true), rect: (120, 32, 280, 192), "coronal")
        // Sagittal (x = 20): columns towards posterior (y 5…15 → 40…128), superior up.
        Self.check(Self.overlayPixels(png, sagittal, green: true), rect: (40, 32, 128, 192), "sagittal")
        // The blue cube (z 1…3) is not on any mid-plane: no blue anywhere in the panels.
        for p in panels { #expect(Self.overlayPixels(png, p, green: false).isEmpty, "blue in \(p.plane)") }
    }

    @Test func overlayIsSemiTransparentWithAnOpaqueOutline() throws {
        let (png, panels, _) = try Self.render()
        let a = panels[0]
        // Inside the cube: bone (700 HU = white, 255) under 35 % green: r = b = 166, g = 255.
        let fill = png[a.x + 240, a.y + 80]
        #expect(fill.r == 166 && fill.g == 255 && fill.b == 166, "\(fill)")
        // Its edge (first column of the box; grey 194 there from the bilinear grey): 90 % green.
        let edge = png[a.x + 120, a.y + 80]
        #expect(edge.r == 19 && edge.g == 249 && edge.b == 19, "\(edge)")
        // Soft tissue (40 HU) away from the cube: grey (40 + 500) / 1200 · 255 = 115 (window −500…700).
        let grey = png[a.x + 60, a.y + 180]
        #expect(grey.r == 115 && grey.g == 115 && grey.b == 115, "\(grey)")
        // Air outside the body: black.
        let air = png[a.x + 2, a.y + 20]
        #expect(air.r == 0 && air.g == 0 && air.b == 0, "\(air)")
    }

    @Test func legendNamesTheSegmentsInTheirColours() throws {
        let (png, panels, _) = try Self.render()
        let below = panels.map { $0.y + $0.height }.max()!
        var green = 0, blue = 0
        for y in below..<png.height {
            for x in 0..<png.width {
                let c = png[x, y]
                if c == (0, 255, 0) { green += 1 }
                if c == (0, 0, 255) { blue += 1 }
            }
        }
        // Swatch (14 × 14) plus the text pixels of each name.
        #expect(green > 196 && blue > 196, "legend pixels: green \(green), blue \(blue)")
    }

    @Test func mrIsWindowedByPercentiles() {
        let voxels = (0..<1000).map { Float($0) }
        let w = PreviewWindow.forModality("MR", voxels: voxels)
        #expect(w.low == 9 && w.high == 989)
        #expect(PreviewWindow.forModality("CT", voxels: voxels) == .ct)
    }

    @Test func labelMapOnAnotherGridIsAnError() throws {
        let (v, _, s) = Self.synthetic()
        let other = LabelMap(geometry: Geometry(size: SIMD3(4, 4, 4), spacing: Vector3(1, 1, 1), origin: Vector3(0, 0, 0),
                                                direction: .identity))
        #expect(throws: JobError.self) { try SegPreview.render(volume: v, labelMap: other, segments: s, modality: "CT") }
    }

    @Test func fontDrawsEveryListedCharacterDistinctly() {
        let chars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let glyphs = chars.map { BitmapFont.glyph($0) }
        #expect(Set(glyphs.map { $0.map(String.init).joined(separator: ",") }).count == chars.count)
        #expect(BitmapFont.glyph("a") == BitmapFont.glyph("A"))
        #expect(BitmapFont.width(of: "AB", scale: 2) == 22)
    }
}
