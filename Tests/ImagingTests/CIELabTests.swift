import Imaging
import Testing

@Suite("sRGB to DICOM CIELab")
struct CIELabTests {
    /// Reference L*a*b* (D65) values as published for sRGB primaries (e.g. Bruce Lindbloom's calculator).
    @Test(arguments: [
        (RGB(255, 255, 255), 100.0, 0.0, 0.0),
        (RGB(0, 0, 0), 0.0, 0.0, 0.0),
        (RGB(255, 0, 0), 53.2408, 80.0925, 67.2032),
        (RGB(0, 255, 0), 87.7347, -86.1827, 83.1793),
        (RGB(0, 0, 255), 32.2970, 79.1875, -107.8602),
    ])
    func labOfPrimaries(rgb: RGB, l: Double, a: Double, b: Double) {
        let lab = rgb.cieLab
        #expect(abs(lab.l - l) < 0.01 && abs(lab.a - a) < 0.01 && abs(lab.b - b) < 0.01, "\(lab)")
    }

    @Test func dicomScaling() {
        let white = RGB(255, 255, 255).dicomCIELab
        #expect(white.l == 65535)
        // a = b = 0 maps to 128/255 of the range.
        #expect(white.a == 32896 || white.a == 32897)
        #expect(RGB(0, 0, 0).dicomCIELab.l == 0)
        let red = RGB(255, 0, 0).dicomCIELab
        #expect(abs(Int(red.l) - Int((53.2408 / 100 * 65535).rounded())) <= 1)
        #expect(abs(Int(red.a) - Int(((80.0925 + 128) / 255 * 65535).rounded())) <= 1)
    }
}
