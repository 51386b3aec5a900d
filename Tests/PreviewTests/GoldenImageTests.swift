import Foundation
import SegdCore
import Testing

/// The synthetic preview against a committed golden PNG (Golden/synthetic.png), with a small pixel tolerance.
/// Regenerate after an intended change with SEGD_UPDATE_GOLDEN=1 and look at the new image before committing.
@Suite struct GoldenImageTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/synthetic.png")

    @Test func syntheticPreviewMatchesTheGoldenImage() throws {
        let (v, l, s) = PreviewTests.synthetic()
        let png = try SegPreview.render(volume: v, labelMap: l, segments: s, modality: "CT")
        if ProcessInfo.processInfo.environment["SEGD_UPDATE_GOLDEN"] == "1" {
            try png.write(to: Self.golden)
        }
        let expected = try DecodedPNG(try Data(contentsOf: Self.golden))
        let actual = try DecodedPNG(png)
        #expect(actual.width == expected.width && actual.height == expected.height)
        guard actual.pixels.count == expected.pixels.count else { return }
        // Tolerance: each channel within 2 levels, and at most 0.1 % of the pixels off by more.
        var off = 0
        for i in stride(from: 0, to: actual.pixels.count, by: 3) {
            let d = (0..<3).map { abs(Int(actual.pixels[i + $0]) - Int(expected.pixels[i + $0])) }.max()!
            if d > 2 { off += 1 }
        }
        #expect(off <= actual.pixels.count / 3 / 1000, "\(off) pixels differ from the golden image by more than 2 levels")
    }
}
