import Imaging

/// An 8-bit sRGB raster, row by row from the top, 3 bytes per pixel.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: RGB = RGB(0, 0, 0)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fillRect(x: 0, y: 0, width: width, height: height, fill)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get {
            let o = (y * width + x) * 3
            return RGB(pixels[o], pixels[o + 1], pixels[o + 2])
        }
        set {
            let o = (y * width + x) * 3
            pixels[o] = newValue.r
            pixels[o + 1] = newValue.g
            pixels[o + 2] = newValue.b
        }
    }

    /// Fills a rectangle, clipped to the image.
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ c: RGB) {
        for yy in max(0, y)..<min(height, y + h) {
            for xx in max(0, x)..<min(width, x + w) { self[xx, yy] = c }
        }
    }

    /// Mixes `c` over the pixel with opacity `alpha` (0…1).
    public mutating func blend(x: Int, y: Int, _ c: RGB, alpha: Float) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Float(a) * (1 - alpha) + Float(b) * alpha).rounded()) }
        pixels[o] = mix(pixels[o], c.r)
        pixels[o + 1] = mix(pixels[o + 1], c.g)
        pixels[o + 2] = mix(pixels[o + 2], c.b)
    }

    /// Copies `other` with its top-left corner at (x, y), clipped.
    public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
        for yy in 0..<other.height where y + yy >= 0 && y + yy < height {
            for xx in 0..<other.width where x + xx >= 0 && x + xx < width { self[x + xx, y + yy] = other[xx, yy] }
        }
    }
}
