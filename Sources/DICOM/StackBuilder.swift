import Foundation
import Imaging

/// Turns the instances of one SeriesInstanceUID into reports: splits by orientation/size, skips localizers,
/// then sorts, de-duplicates and checks the geometry of each sub-stack.
enum StackBuilder {
    /// One image plane: a frame of an instance.
    struct Plane {
        var header: InstanceHeader
        var frameIndex: Int
        var frame: InstanceHeader.Frame { header.frames[frameIndex] }
    }

    static func reports(for headers: [InstanceHeader]) -> [SeriesReport] {
        var result: [SeriesReport] = []
        let localizers = headers.filter { $0.imageType.contains("LOCALIZER") }
        let images = headers.filter { !$0.imageType.contains("LOCALIZER") }
        if !localizers.isEmpty {
            result.append(report(localizers.map { Plane(header: $0, frameIndex: 0) }, .skipped,
                                 ["ImageType LOCALIZER: scout/localizer images are skipped"], stack: nil))
        }
        let planes = images.flatMap { h in h.frames.indices.map { Plane(header: h, frameIndex: $0) } }
        var groups: [String: [Plane]] = [:]
        var order: [String] = []
        for plane in planes {
            let key = groupKey(plane)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(plane)
        }
        let orientations = Set(order.map { $0.split(separator: "|", omittingEmptySubsequences: false)[1] }).count
        let sizes = Set(order.map { $0.split(separator: "|", omittingEmptySubsequences: false)[0] }).count
        for key in order {
            var notes: [String] = []
            if orientations > 1 {
                notes.append("series mixes \(orientations) image orientations (e.g. a multi-plane localizer); "
                             + "split into one stack per orientation, this one is \(describe(groups[key]![0]))")
            }
            if sizes > 1 {
                notes.append("series mixes \(sizes) image sizes (Rows x Columns); split into one stack per size, "
                             + "this one is \(groups[key]![0].header.rows)x\(groups[key]![0].header.columns)")
            }
            result.append(evaluate(groups[key]!, notes: notes))
        }
        return result
    }

    private static func groupKey(_ p: Plane) -> String {
        let o = p.frame.orientation.map { String(format: "%.3f", $0) }.joined(separator: ",")
        return "\(p.header.rows)x\(p.header.columns)|\(o)"
    }

    private static func describe(_ p: Plane) -> String {
        let o = p.frame.orientation
        guard o.count >= 6 else { return "without orientation" }
        let n = Vector3(o[0], o[1], o[2]).cross(Vector3(o[3], o[4], o[5]))
        let a = Vector3(abs(n.x), abs(n.y), abs(n.z))
        let plane = a.z >= a.x && a.z >= a.y ? "axial" : (a.y >= a.x ? "coronal" : "sagittal")
        return "\(plane) (ImageOrientationPatient \(o.prefix(6).map { String(format: "%.3g", $0) }.joined(separator: "\\")))"
    }

    static func report(_ planes: [Plane], _ status: SeriesStatus, _ reasons: [String], stack: SeriesStack?) -> SeriesReport {
        let h = planes[0].header
        return SeriesReport(
            seriesInstanceUID: h.seriesInstanceUID, modality: h.modality,
            seriesDescription: h.attributes["SeriesDescription"] ?? "",
            files: Array(Set(planes.map(\.header.path))).sorted(), status: status, reasons: reasons, stack: stack)
    }
}
