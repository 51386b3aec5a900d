import Foundation

extension RGB {
    /// CIE L*a*b* (D65 white) of this sRGB colour: L in 0…100, a and b roughly −128…127.
    public var cieLab: (l: Double, a: Double, b: Double) {
        func linear(_ c: UInt8) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let r = linear(self.r), g = linear(self.g), b = linear(self.b)
        // sRGB -> XYZ (D65), IEC 61966-2-1 matrix.
        let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b
        // D65 reference white.
        let xn = 0.95047, yn = 1.0, zn = 1.08883
        func f(_ t: Double) -> Double {
            let d = 6.0 / 29.0
            return t > d * d * d ? cbrt(t) : t / (3 * d * d) + 4.0 / 29.0
        }
        let fx = f(x / xn), fy = f(y / yn), fz = f(z / zn)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// RecommendedDisplayCIELabValue as DICOM stores it (PS3.3 C.10.7.1.1): L 0…100 and a, b −128…127 scaled
    /// linearly to 0…65535.
    public var dicomCIELab: (l: UInt16, a: UInt16, b: UInt16) {
        let lab = cieLab
        func scale(_ v: Double, _ lo: Double, _ hi: Double) -> UInt16 {
            let s = ((v - lo) / (hi - lo) * 65535).rounded()
            return UInt16(min(max(s, 0), 65535))
        }
        return (scale(lab.l, 0, 100), scale(lab.a, -128, 127), scale(lab.b, -128, 127))
    }
}
