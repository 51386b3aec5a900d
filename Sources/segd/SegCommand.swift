import ArgumentParser
import DICOM
import Foundation

/// `segd seg ...`: DICOM-SEG utilities.
struct SegCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seg", abstract: "DICOM-SEG utilities.", subcommands: [SegCheckCommand.self])
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
        // The source stack is the one holding the referenced instances (also a rejected one with a volume).
        let referenced = Set(reader.referencedInstances.map(\.instance) + reader.frames.map(\.referencedSOPInstanceUID))
        let stacks = scan.series.compactMap(\.stack)
        guard let stack = stacks.max(by: { a, b in
            a.sources.filter { referenced.contains($0.sopInstanceUID) }.count
                < b.sources.filter { referenced.contains($0.sopInstanceUID) }.count
        }), stack.sources.contains(where: { referenced.contains($0.sopInstanceUID) }) else {
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
