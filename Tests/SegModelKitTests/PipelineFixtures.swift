import Foundation
import Imaging

/// The MONAI reference fixtures in Tests/Fixtures/pipeline, made by Generators/make_pipeline_fixtures.py.
enum PipelineFixtures {
    static let folder = TestPaths.repoRoot.appendingPathComponent("Tests/Fixtures/pipeline")

    nonisolated(unsafe) static let index: [String: Any] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("index.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func cases(_ key: String) -> [[String: Any]] { index[key] as! [[String: Any]] }

    /// A little-endian float32 file of the fixture folder.
    static func floats(_ name: String) -> [Float] {
        let data = try! Data(contentsOf: folder.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// The generator's `synthetic(size)` volume, x fastest (computed in Double, rounded to Float like NumPy).
    static func synthetic(_ size: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: size[0] * size[1] * size[2])
        for k in 0..<size[2] {
            for j in 0..<size[1] {
                for i in 0..<size[0] {
                    let (x, y, z) = (Double(i), Double(j), Double(k))
                    let v = sin(0.37 * x) + cos(0.23 * y) * 2 + 0.05 * pow(z, 1.5)
                        + Double((i * 7 + j * 13 + k * 29) % 11) / 10 - 0.5
                    out[i + size[0] * (j + size[1] * k)] = Float(v)
                }
            }
        }
        return out
    }

    static func doubles(_ any: Any?) -> [Double] { (any as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    static func ints(_ any: Any?) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }

    static func geometry(_ c: [String: Any]) -> Geometry {
        let size = ints(c["size"]), spacing = doubles(c["spacing"]), origin = doubles(c["origin"])
        return Geometry(size: SIMD3(size[0], size[1], size[2]), spacing: Vector3(spacing[0], spacing[1], spacing[2]),
                        origin: Vector3(origin[0], origin[1], origin[2]),
                        direction: Matrix3(rowMajor: doubles(c["directionRowMajor"])))
    }
}

/// max |a − b|.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}
