import DICOM
import Foundation
import Imaging
import Testing

/// Comparisons of a loaded stack with a SimpleITK block of an expected.json.
enum VolumeChecks {
    static func doubles(_ value: Any?) -> [Double] { (value as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }

    /// The expected.json series entry with this SeriesInstanceUID.
    static func series(_ expected: [String: Any], uid: String) throws -> [String: Any] {
        let all = try #require(expected["series"] as? [[String: Any]])
        return try #require(all.first { ($0["SeriesInstanceUID"] as? String) == uid }, "series \(uid) not in expected.json")
    }

    /// Geometry to 1e-4, min/max exact, mean to ~1e-6 relative, sample voxels exact; and every slice's
    /// ImagePositionPatient on the grid. `geometryFromSimpleITK` is false for multi-frame objects whose SimpleITK
    /// geometry is known to be first-frame only.
    static func check(_ stack: SeriesStack, against sitk: [String: Any], geometryFromSimpleITK: Bool = true,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let g = stack.geometry
        let size = doubles(sitk["size"]).map { Int($0) }
        #expect([g.size.x, g.size.y, g.size.z] == size, sourceLocation: sourceLocation)
        let spacing = doubles(sitk["spacing"])
        for (a, b) in zip([g.spacing.x, g.spacing.y, g.spacing.z], spacing) {
            #expect(abs(a - b) <= 1e-4, "spacing \(a) vs \(b)", sourceLocation: sourceLocation)
        }
        if geometryFromSimpleITK {
            for (a, b) in zip([g.origin.x, g.origin.y, g.origin.z], doubles(sitk["origin"])) {
                #expect(abs(a - b) <= 1e-4, "origin \(a) vs \(b)", sourceLocation: sourceLocation)
            }
            for (a, b) in zip(g.direction.rowMajor, doubles(sitk["direction"])) {
                #expect(abs(a - b) <= 1e-4, "direction \(g.direction.rowMajor)", sourceLocation: sourceLocation)
            }
        }
        // Every source plane lies where the grid puts slice k.
        for (k, source) in stack.sources.enumerated() {
            let p = g.point(i: 0, j: 0, k: k)
            #expect((p - source.imagePositionPatient).length <= 1e-3, "slice \(k) off the grid", sourceLocation: sourceLocation)
        }
        let volume = try stack.loadVolume()
        let stats = try #require(volume.statistics)
        let expectedStats = try #require(sitk["stats"] as? [String: Any])
        let mean = try #require((expectedStats["mean"] as? NSNumber)?.doubleValue)
        #expect(Double(stats.min) == (expectedStats["min"] as? NSNumber)?.doubleValue, sourceLocation: sourceLocation)
        #expect(Double(stats.max) == (expectedStats["max"] as? NSNumber)?.doubleValue, sourceLocation: sourceLocation)
        #expect(abs(stats.mean - mean) <= 1e-6 * abs(mean) + 1e-6, "mean \(stats.mean) vs \(mean)",
                sourceLocation: sourceLocation)
        for (key, value) in (sitk["samples"] as? [String: Any]) ?? [:] {
            let ijk = key.split(separator: ",").compactMap { Int($0) }
            guard ijk.count == 3 else { continue }
            #expect(Double(volume[ijk[0], ijk[1], ijk[2]]) == (value as? NSNumber)?.doubleValue, "sample \(key)",
                    sourceLocation: sourceLocation)
        }
    }
}
