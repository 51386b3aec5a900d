import Imaging

/// How a SEG relates to a source stack: what `segd seg check` prints.
public struct SEGSourceMatch: Sendable {
    /// Frames whose Source Image reference names an instance (and frame) of the stack.
    public var resolvedFrames: Int
    /// Frames whose position lies on the referenced source slice (0.01 mm), or on some slice without a reference.
    public var framesOnSourceSlices: Int
    /// ReferencedSeriesSequence instances found in the stack.
    public var resolvedInstances: Int
    /// Everything that does not match; empty when the SEG fits the stack.
    public var problems: [String]
    public var matches: Bool { problems.isEmpty }
}

extension SEGReader {
    /// Compares references, positions, orientation, spacing and size with `stack`.
    public func match(_ stack: SeriesStack, tolerance: Double = 0.01) -> SEGSourceMatch {
        var problems: [String] = []
        let g = stack.geometry
        if info.rows != g.size.y || info.columns != g.size.x {
            problems.append("SEG is \(info.columns)x\(info.rows) but the source is \(g.size.x)x\(g.size.y)")
        }
        if info.frameOfReferenceUID != stack.frameOfReferenceUID {
            problems.append("FrameOfReferenceUID differs from the source's")
        }
        if let o = info.orientation {
            let d = g.direction
            let source = [d.columns.0.x, d.columns.0.y, d.columns.0.z, d.columns.1.x, d.columns.1.y, d.columns.1.z]
            if zip(o, source).contains(where: { abs($0 - $1) > 1e-4 }) { problems.append("orientation differs from the source's") }
        }
        if abs(info.pixelSpacing.0 - g.spacing.y) > 1e-4 || abs(info.pixelSpacing.1 - g.spacing.x) > 1e-4 {
            problems.append("pixel spacing \(info.pixelSpacing) differs from the source's (\(g.spacing.y), \(g.spacing.x))")
        }
        var slice: [String: SourceFrame] = [:]
        for s in stack.sources { slice["\(s.sopInstanceUID)#\(s.frameNumber ?? 1)"] = s }
        let instances = Set(stack.sources.map(\.sopInstanceUID))
        let resolvedInstances = referencedInstances.filter { instances.contains($0.instance) }.count
        if resolvedInstances < referencedInstances.count {
            problems.append("\(referencedInstances.count - resolvedInstances) referenced instance(s) are not in the source")
        }
        var resolved = 0, onSlices = 0, unresolved = 0, offSlice = 0
        let known = Set(segments.map(\.number))
        var unknownSegments = 0
        for frame in frames {
            if !known.contains(frame.segmentNumber) { unknownSegments += 1 }
            let source = slice["\(frame.referencedSOPInstanceUID)#\(frame.referencedFrameNumber ?? 1)"]
            if source != nil { resolved += 1 } else { unresolved += 1 }
            guard let p = frame.position else { offSlice += 1; continue }
            let onSlice = source.map { (p - $0.imagePositionPatient).length <= tolerance }
                ?? stack.sources.contains { (p - $0.imagePositionPatient).length <= tolerance }
            if onSlice { onSlices += 1 } else { offSlice += 1 }
        }
        if unresolved > 0 { problems.append("\(unresolved) frame(s) reference no instance of the source") }
        if offSlice > 0 { problems.append("\(offSlice) frame(s) are not on their source slice") }
        if unknownSegments > 0 { problems.append("\(unknownSegments) frame(s) name a segment that is not described") }
        return SEGSourceMatch(resolvedFrames: resolved, framesOnSourceSlices: onSlices,
                              resolvedInstances: resolvedInstances, problems: problems)
    }
}
