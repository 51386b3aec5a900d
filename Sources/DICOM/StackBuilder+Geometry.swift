import Foundation
import Imaging

extension StackBuilder {
    /// Relative and absolute tolerances for "uniform" slice gaps and for "same position".
    static let gapRelativeTolerance = 0.01
    static let gapAbsoluteTolerance = 0.01
    static let samePositionTolerance = 0.01
    /// Largest angle (degrees) between the stacking direction and the slice normal that is not a tilt.
    static let maxTiltDegrees = 0.1
    /// Largest volume accepted (4 GB of float32), so a corrupt header cannot request absurd allocations.
    static let maxVoxels = 1_000_000_000

    static func evaluate(_ input: [Plane], notes: [String]) -> SeriesReport {
        var reasons = notes
        func reject(_ why: String) -> SeriesReport { report(input, .rejected, reasons + [why], stack: nil) }
        if input.contains(where: { $0.header.imageType.contains("MOSAIC") }) {
            return reject("Siemens MOSAIC: each image packs many 2-D slices into one tile grid; unpacking is not "
                          + "supported. Export the series as single slices (or convert it with dcm2niix)")
        }
        guard let o = input[0].frame.orientation.count >= 6 ? input[0].frame.orientation : nil,
              input.allSatisfy({ $0.frame.position != nil && $0.frame.orientation.count >= 6 }) else {
            return reject("ImagePositionPatient or ImageOrientationPatient is missing; the slice geometry is unknown")
        }
        let ps = input[0].frame.pixelSpacing
        guard ps.count >= 2, ps[0] > 0, ps[1] > 0 else { return reject("PixelSpacing is missing or invalid") }
        if input.contains(where: { p in p.frame.pixelSpacing.count < 2
                || abs(p.frame.pixelSpacing[0] - ps[0]) > 1e-4 || abs(p.frame.pixelSpacing[1] - ps[1]) > 1e-4 }) {
            return reject("PixelSpacing differs between slices")
        }
        let row = Vector3(o[0], o[1], o[2]).normalized, column = Vector3(o[3], o[4], o[5]).normalized
        let normal = row.cross(column).normalized
        let sorted = input.map { ($0, $0.frame.position!.dot(normal)) }.sorted { $0.1 < $1.1 }

        // Group planes at the same position: identical duplicates are dropped, anything else is 4-D.
        var positions: [[(Plane, Double)]] = []
        for entry in sorted {
            if let last = positions.last?.first, abs(last.1 - entry.1) <= samePositionTolerance {
                positions[positions.count - 1].append(entry)
            } else {
                positions.append([entry])
            }
        }
        if positions.count < sorted.count {
            let repeats = positions.filter { $0.count > 1 }
            if let why = fourDReason(repeats, positions: positions.count, planes: sorted.count) { return reject(why) }
            let dropped = sorted.count - positions.count
            reasons.append("\(dropped) duplicate slice(s) with identical content at the same position removed")
        }
        let planes = positions.map { $0[0] }
        var spacingZ: Double
        if planes.count == 1 {
            let h = planes[0].0.header
            spacingZ = h.sliceThickness ?? h.spacingBetweenSlices ?? 1
            if spacingZ <= 0 { spacingZ = 1 }
            reasons.append("single slice: a 2-D image (z spacing taken from SliceThickness)")
        } else {
            let z = planes.map(\.1)
            let gaps = zip(z.dropFirst(), z).map { $0 - $1 }
            spacingZ = (z.last! - z.first!) / Double(gaps.count)
            var problems: [String] = []
            if let why = spacingProblem(gaps: gaps, z: z) { problems.append(why) }
            let first = planes.first!.0.frame.position!, last = planes.last!.0.frame.position!
            let along = (last - first).normalized
            let tilt = acos(min(1, abs(along.dot(normal)))) * 180 / .pi
            if tilt > maxTiltDegrees {
                problems.append(String(format: "gantry tilt: slices are stacked %.1f degrees off the slice normal; "
                                       + "a tilted (sheared) stack cannot be stored as one volume without resampling", tilt))
            }
            if !problems.isEmpty { return report(input, .rejected, reasons + problems, stack: nil) }
        }
        let h0 = planes[0].0.header
        if h0.columns * h0.rows * planes.count > maxVoxels {
            return report(input, .rejected, reasons + ["volume of \(h0.columns)x\(h0.rows)x\(planes.count) voxels is "
                + "larger than the \(maxVoxels / 1_000_000) M voxel limit of this reader"], stack: nil)
        }
        let geometry = Geometry(size: SIMD3(h0.columns, h0.rows, planes.count), spacing: Vector3(ps[1], ps[0], spacingZ),
                                origin: planes[0].0.frame.position!, direction: Matrix3(columns: row, column, normal))
        let sources = planes.map { entry in
            let p = entry.0
            return SourceFrame(path: p.header.path, sopClassUID: p.header.sopClassUID, sopInstanceUID: p.header.sopInstanceUID,
                               frameNumber: p.header.frames.count > 1 ? p.frameIndex + 1 : nil,
                               imagePositionPatient: p.frame.position!, rescaleSlope: p.frame.slope,
                               rescaleIntercept: p.frame.intercept)
        }
        let emptyUIDs = Array(Set(input.flatMap(\.header.emptyUIDs))).sorted()
        let stack = SeriesStack(geometry: geometry, sources: sources, studyInstanceUID: h0.studyInstanceUID,
                                seriesInstanceUID: h0.seriesInstanceUID, frameOfReferenceUID: h0.frameOfReferenceUID,
                                modality: h0.modality, attributes: h0.attributes, emptyUIDs: emptyUIDs)
        if !emptyUIDs.isEmpty {
            return report(input, .rejected, reasons + [
                "\(emptyUIDs.joined(separator: ", ")) present but empty (broken anonymiser?): the volume loads, but a "
                + "DICOM-SEG cannot reference this series; re-export it with valid UIDs"], stack: stack)
        }
        return report(input, .accepted, reasons, stack: stack)
    }

    /// Nil when all gaps agree with the median gap, else a reason naming the largest gap.
    static func spacingProblem(gaps: [Double], z: [Double]) -> String? {
        let median = gaps.sorted()[(gaps.count - 1) / 2]  // lower median: with 2 gaps the smaller one
        let tolerance = max(gapAbsoluteTolerance, gapRelativeTolerance * median)
        guard gaps.contains(where: { abs($0 - median) > tolerance }) else { return nil }
        let largest = gaps.indices.max { gaps[$0] < gaps[$1] }!
        let g = gaps[largest]
        var text = String(format: "non-uniform slice spacing: gaps %.3f..%.3f mm (median %.3f mm); largest gap %.3f mm "
                          + "between slices %d and %d (at %.2f and %.2f mm along the normal)",
                          gaps.min()!, g, median, g, largest, largest + 1, z[largest], z[largest + 1])
        let ratio = g / median
        if ratio > 1.5, abs(ratio - ratio.rounded()) < 0.1 {
            text += String(format: ": about %d slice(s) missing", Int(ratio.rounded()) - 1)
        } else {
            text += ": variable spacing"
        }
        return text
    }

    /// Nil if every repeated position holds identical copies (same instance+frame or identical pixels).
    static func fourDReason(_ repeats: [[(Plane, Double)]], positions: Int, planes: Int) -> String? {
        for group in repeats {
            let a = group[0].0
            for (b, _) in group.dropFirst() {
                if a.header.sopInstanceUID == b.header.sopInstanceUID, !a.header.sopInstanceUID.isEmpty,
                   a.frameIndex == b.frameIndex { continue }
                if a.header.distinguishing == b.header.distinguishing, a.frame.temporal == b.frame.temporal,
                   samePixels(a, b) { continue }
                var differing = Set(a.header.distinguishing.keys).union(b.header.distinguishing.keys)
                    .filter { a.header.distinguishing[$0] != b.header.distinguishing[$0] }.sorted()
                if a.frame.temporal != b.frame.temporal { differing.append("TemporalPositionIndex/EffectiveEchoTime") }
                if a.header.sopInstanceUID != b.header.sopInstanceUID, a.header.frames.count > 1 {
                    differing.append("separate multi-frame instances")
                }
                let what = differing.isEmpty ? "different pixel content" : differing.joined(separator: ", ")
                return "4-D series: \(planes) images at only \(positions) distinct slice positions (repeats differ in "
                    + "\(what): time points, echoes or volumes); one 3-D volume cannot be built. Export a single "
                    + "time point/echo as its own series"
            }
        }
        return nil
    }

    /// Whether two planes decode to identical pixels (used only for repeated positions).
    static func samePixels(_ a: Plane, _ b: Plane) -> Bool {
        guard a.header.rows == b.header.rows, a.header.columns == b.header.columns else { return false }
        let count = a.header.rows * a.header.columns
        var x = [Float](repeating: 0, count: count), y = [Float](repeating: 0, count: count)
        do {
            let fa = try DICOMFile(path: a.header.path), fb = try DICOMFile(path: b.header.path)
            try x.withUnsafeMutableBufferPointer { buffer throws(DICOMError) in
                try fa.decodeFrame(a.frameIndex, slope: a.frame.slope, intercept: a.frame.intercept, into: buffer)
            }
            try y.withUnsafeMutableBufferPointer { buffer throws(DICOMError) in
                try fb.decodeFrame(b.frameIndex, slope: b.frame.slope, intercept: b.frame.intercept, into: buffer)
            }
        } catch {
            return false
        }
        return x == y
    }
}
