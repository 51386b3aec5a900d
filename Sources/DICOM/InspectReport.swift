import Foundation
import Imaging

/// The report of `segd inspect`: every series/stack with its decision, and the ignored files. Loads each stack
/// that has a consistent geometry to give min/max/mean. Contains no patient identity.
public struct InspectReport: Sendable {
    public struct VolumeSummary: Sendable {
        public var geometry: Geometry
        public var min: Float, max: Float, mean: Double
    }
    public struct Entry: Sendable {
        public var report: SeriesReport
        public var volume: VolumeSummary?
    }

    public var entries: [Entry]
    public var ignoredFiles: [IgnoredFile]

    /// Builds the report for a scan result, loading every stack (one at a time, to bound memory).
    public init(scan: ScanResult) {
        ignoredFiles = scan.ignoredFiles
        entries = scan.series.map { report in
            var entry = Entry(report: report, volume: nil)
            guard let stack = report.stack else { return entry }
            do throws(DICOMError) {
                let volume = try stack.loadVolume()
                if let stats = volume.statistics {
                    entry.volume = VolumeSummary(geometry: volume.geometry, min: stats.min, max: stats.max, mean: stats.mean)
                }
            } catch {
                entry.report.status = .rejected
                entry.report.reasons.append("pixel data could not be decoded: \(error.message)")
            }
            return entry
        }
    }

    /// The `--json` object: {"series":[...],"ignoredFiles":[...]}.
    public func json() -> String {
        let series: [Any] = entries.map { entry in
            var object: [String: Any] = [
                "seriesInstanceUID": entry.report.seriesInstanceUID, "modality": entry.report.modality,
                "seriesDescription": entry.report.seriesDescription, "files": entry.report.files.count,
                "status": entry.report.status.rawValue, "reasons": entry.report.reasons,
            ]
            if let v = entry.volume {
                let g = v.geometry
                object["volume"] = [
                    "size": [g.size.x, g.size.y, g.size.z], "spacing": [g.spacing.x, g.spacing.y, g.spacing.z],
                    "origin": [g.origin.x, g.origin.y, g.origin.z], "direction": g.direction.rowMajor,
                    "min": Double(v.min), "max": Double(v.max), "mean": v.mean,
                ] as [String: Any]
            }
            return object
        }
        let root: [String: Any] = [
            "series": series,
            "ignoredFiles": ignoredFiles.map { ["path": $0.path, "reason": $0.reason] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A readable table, one line per stack, reasons below, then the ignored files.
    public func table() -> String {
        func row(_ cells: [String]) -> String {
            let widths = [9, 4, 28, 5, 15, 22]
            return zip(cells, widths).map { cell, width in
                cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
            }.joined(separator: " ") + " " + cells[6]
        }
        var lines = [row(["STATUS", "MOD", "DESCRIPTION", "FILES", "SIZE", "SPACING (mm)", "SERIES UID"])]
        for entry in entries {
            let r = entry.report
            var size = "-", spacing = "-"
            if let g = entry.volume?.geometry ?? r.stack?.geometry {
                size = "\(g.size.x)x\(g.size.y)x\(g.size.z)"
                spacing = String(format: "%.3g x %.3g x %.3g", g.spacing.x, g.spacing.y, g.spacing.z)
            }
            let description = r.seriesDescription.isEmpty ? "-" : String(r.seriesDescription.prefix(28))
            lines.append(row([r.status.rawValue, r.modality.isEmpty ? "-" : r.modality, description,
                              String(r.files.count), size, spacing,
                              r.seriesInstanceUID.isEmpty ? "(empty)" : r.seriesInstanceUID]))
            if let v = entry.volume {
                lines.append(String(format: "          values %.6g .. %.6g, mean %.6g", v.min, v.max, v.mean))
            }
            for reason in r.reasons { lines.append("          - \(reason)") }
        }
        if !ignoredFiles.isEmpty {
            lines.append("")
            lines.append("Ignored files (\(ignoredFiles.count)):")
            for file in ignoredFiles { lines.append("  \(file.path): \(file.reason)") }
        }
        return lines.joined(separator: "\n")
    }
}
