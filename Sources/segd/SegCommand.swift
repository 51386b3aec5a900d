import ArgumentParser
import DICOM
import Foundation
import SegdCore

/// `segd seg ...`: DICOM-SEG utilities.
struct SegCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seg", abstract: "DICOM-SEG utilities.", subcommands: [SegCheckCommand.self, SegPreviewCommand.self])
}

/// `segd seg check FILE SOURCE_DIR`: reads a SEG back with DCMTK and checks it against its source series.
struct SegCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read a DICOM-SEG and report its segments, frames and geometry, and whether it matches the source.")

    @Argument(help: "The DICOM-SEG file.")
    var file: String

    @Argument(help: "Folder holding the source series.")
    var sourceDirectory: String

    func run() throws {
        let reader: SEGReader
        let scan: ScanResult
        do {
            reader = try SEGReader(path: file)
            scan = try DICOMScanner.scan(directory: sourceDirectory)
        } catch {
            throw ValidationError(error.message)
        }
        let i = reader.info
        print("SEG \(i.seriesDescription.isEmpty ? "(no description)" : i.seriesDescription)")
        print("  \(i.isFractional ? "FRACTIONAL" : "BINARY"), \(i.columns)x\(i.rows), \(i.frameCount) frame(s), "
              + "transfer syntax \(i.transferSyntax)")
        print("  pixel spacing \(i.pixelSpacing.0) \\ \(i.pixelSpacing.1) mm, slice thickness "
              + "\(i.sliceThickness.map { "\($0) mm" } ?? "-"), orientation "
              + "\(i.orientation?.map { String(format: "%.4f", $0) }.joined(separator: " ") ?? "-")")
        for s in reader.segments {
            let frames = reader.frames.filter { $0.segmentNumber == s.number }.count
            print("  segment \(s.number): \(s.label) [\(s.type.meaning) (\(s.type.scheme) \(s.type.value))] "
                  + "\(s.algorithmType) \(s.algorithmName), \(frames) frame(s)\(frames == 0 ? " (empty)" : "")")
        }
        guard let stack = reader.referencedStack(in: scan) else {
            print("source: no series in \(sourceDirectory) holds an instance the SEG references")
            throw ExitCode(1)
        }
        let match = reader.match(stack)
        print("source: series with \(stack.sliceCount) slice(s); \(match.resolvedInstances)/"
              + "\(reader.referencedInstances.count) referenced instances found, \(match.resolvedFrames)/"
              + "\(reader.frames.count) frame references resolved, \(match.framesOnSourceSlices) frame(s) on source slices")
        if match.matches {
            print("MATCH: the SEG fits the source series")
        } else {
            print("MISMATCH: " + match.problems.joined(separator: "; "))
            throw ExitCode(1)
        }
    }
}

extension SEGReader {
    /// The stack of `scan` holding the most instances the SEG references (also a rejected one with a volume).
    func referencedStack(in scan: ScanResult) -> SeriesStack? {
        let referenced = Set(referencedInstances.map(\.instance) + frames.map(\.referencedSOPInstanceUID))
        let stacks = scan.series.compactMap(\.stack)
        guard let stack = stacks.max(by: { a, b in
            a.sources.filter { referenced.contains($0.sopInstanceUID) }.count
                < b.sources.filter { referenced.contains($0.sopInstanceUID) }.count
        }), stack.sources.contains(where: { referenced.contains($0.sopInstanceUID) }) else { return nil }
        return stack
    }
}

/// `segd seg preview SEG SOURCE_DIR --out FILE.png`: a PNG of the source's mid-planes with the segments over them.
struct SegPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Render a DICOM-SEG over its source series as a PNG: axial, coronal and sagittal mid-planes.",
        discussion: """
            The planes are windowed for the modality (CT: -500..700 HU; otherwise the 1st..99th percentile), \
            shown at their physical aspect ratio in radiological orientation (axial: anterior up, patient left on \
            the image right; coronal: superior up; sagittal: superior up, anterior on the left), with each segment \
            as a semi-transparent fill and an outline in its recommended display colour, and a legend of the \
            segment names.
            """)

    @Argument(help: "The DICOM-SEG file.")
    var file: String

    @Argument(help: "Folder holding the source series.")
    var sourceDirectory: String

    @Option(help: "Where to write the PNG.")
    var out: String

    @Option(help: "Size in pixels of the largest panel side.")
    var panelSize: Int = 320

    func run() throws {
        guard (32...4096).contains(panelSize) else { throw ValidationError("--panel-size must be 32...4096") }
        do {
            let reader = try SEGReader(path: file)
            let scan = try DICOMScanner.scan(directory: sourceDirectory)
            guard let stack = reader.referencedStack(in: scan) else {
                throw ValidationError("no series in \(sourceDirectory) holds an instance the SEG references; "
                                      + "give the folder of the series the SEG was made from")
            }
            let seg = try SEGLabelMap(reader: reader, stack: stack)
            let png = try SegPreview.render(volume: try stack.loadVolume(), labelMap: seg.labelMap,
                                            segments: seg.segments, modality: stack.modality, panelSize: panelSize)
            try png.write(to: URL(fileURLWithPath: out), options: .atomic)
            print("wrote \(out) (\(seg.segments.count) segment(s))")
        } catch let error as ValidationError {
            throw error
        } catch let error as DICOMError {
            throw ValidationError(error.message)
        } catch let error as JobError {
            throw ValidationError(error.message)
        } catch {
            throw ValidationError("cannot write \(out): \(error.localizedDescription)")
        }
    }
}
