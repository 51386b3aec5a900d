import Foundation
import Testing

/// The MONAI references of `Tests/Generators/monai_pipeline_reference.py` for one case
/// (`Tests/Fixtures/pipeline-parity/<case>`): the bundle, the source-grid probabilities at sampled voxels and the
/// label maps before and after postprocessing.
struct ParityReference {
    static let root = TestData.repoRoot.appendingPathComponent("Tests/Fixtures/pipeline-parity")

    let name: String
    let folder: URL
    /// The corpus folder of the series (`../shared/dicom/<series>`).
    let series: String
    let sourceShape: [Int]
    let modelShape: [Int]
    let modelAffineRAS: [[Double]]
    let channels: Int
    let windows: Int
    /// Linear source indices x + nx·(y + ny·z) of the sampled voxels, ascending.
    let samples: [Int]
    /// MONAI's probabilities at the samples, [sample][channel].
    let probabilities: [Float]
    /// MONAI's argmax label map (before postprocessing) and final label map, x fastest.
    let argmax: [UInt8]
    let labels: [UInt8]

    init(_ name: String) throws {
        self.name = name
        folder = Self.root.appendingPathComponent(name)
        let info = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("reference.json")))
                as? [String: Any])
        series = try #require(info["series"] as? String)
        sourceShape = try #require(info["sourceShape"] as? [Int])
        modelShape = try #require(info["modelShape"] as? [Int])
        modelAffineRAS = try #require(info["modelAffineRAS"] as? [[Double]])
        channels = try #require(info["channels"] as? Int)
        windows = try #require(info["windows"] as? Int)
        let index = try Data(contentsOf: folder.appendingPathComponent("samples.i32"))
        samples = index.withUnsafeBytes { raw in
            (0..<index.count / 4).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        }
        let values = try Data(contentsOf: folder.appendingPathComponent("samples.f32"))
        probabilities = values.withUnsafeBytes { raw in
            (0..<values.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        let voxels = sourceShape.reduce(1, *)
        argmax = try Self.decodeRLE(Data(contentsOf: folder.appendingPathComponent("argmax.rle")), count: voxels)
        labels = try Self.decodeRLE(Data(contentsOf: folder.appendingPathComponent("labels.rle")), count: voxels)
        #expect(probabilities.count == samples.count * channels, "samples.f32 does not match samples.i32")
    }

    /// Runs of (label byte, unsigned LEB128 length).
    static func decodeRLE(_ data: Data, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let value = bytes[i]
            i += 1
            var length = 0, shift = 0
            while true {
                let b = try #require(i < bytes.count ? bytes[i] : nil, "truncated run length")
                i += 1
                length |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            out.append(contentsOf: repeatElement(value, count: length))
        }
        try #require(out.count == count, "RLE holds \(out.count) voxels, expected \(count)")
        return out
    }

    /// The series folder in the shared corpus; the test fails (not skips) when it is missing.
    func seriesFolder() throws -> String {
        let path = TestData.corpus + "/" + series
        try #require(FileManager.default.fileExists(atPath: path),
                     "the shared corpus is missing: \(path) (set SEGD_SHARED or put ../shared beside the repo)")
        return path
    }
}

/// Label-map agreement between segd and MONAI.
struct LabelAgreement: CustomStringConvertible {
    /// Fraction of voxels with the same label.
    var equalFraction: Double
    /// Dice per label 1…channels − 1 (1 when both are empty).
    var dice: [Int: Double]
    var differing: Int

    init(_ a: [UInt8], _ b: [UInt8], labels: Int) {
        precondition(a.count == b.count)
        var inA = [Int](repeating: 0, count: 256), inB = inA, both = inA
        var differing = 0
        for i in a.indices {
            let x = Int(a[i]), y = Int(b[i])
            inA[x] += 1
            inB[y] += 1
            if x == y { both[x] += 1 } else { differing += 1 }
        }
        self.differing = differing
        equalFraction = 1 - Double(differing) / Double(max(1, a.count))
        var dice: [Int: Double] = [:]
        for l in 1..<labels {
            let total = inA[l] + inB[l]
            dice[l] = total == 0 ? 1 : 2 * Double(both[l]) / Double(total)
        }
        self.dice = dice
    }

    var description: String {
        let d = dice.keys.sorted().map { "\($0): \(String(format: "%.6f", dice[$0]!))" }.joined(separator: ", ")
        return String(format: "equal %.7f (%d voxels differ), Dice [%@]", equalFraction, differing, d)
    }
}
