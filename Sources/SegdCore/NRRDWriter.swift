import Foundation
import Imaging

/// Writes a label map as a NRRD file in LPS space (3D Slicer, ITK and MITK read it), for inspection.
public enum NRRDWriter {
    public static func write(_ map: LabelMap, to url: URL) throws(JobError) {
        let g = map.geometry
        func vec(_ v: Vector3) -> String { "(\(v.x),\(v.y),\(v.z))" }
        let directions = (0..<3).map { vec(g.direction[column: $0] * g.spacing[$0]) }.joined(separator: " ")
        let header = """
            NRRD0004
            type: uint8
            dimension: 3
            space: left-posterior-superior
            sizes: \(g.size.x) \(g.size.y) \(g.size.z)
            space directions: \(directions)
            kinds: domain domain domain
            endian: little
            encoding: raw
            space origin: \(vec(g.origin))


            """
        var data = Data(header.utf8)
        map.labels.withUnsafeBytes { data.append(contentsOf: $0) }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw JobError(.output, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
