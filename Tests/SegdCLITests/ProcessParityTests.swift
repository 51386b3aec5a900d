import Foundation
import TestSupport
import Testing

/// `segd process` on a real CT with a real 3-D network (a briefly trained MONAI UNet run by the built UNet
/// plugin) against MONAI 1.6.1's label map for the same series and bundle, made by
/// `Tests/Generators/monai_pipeline_reference.py` (the probabilities are compared in DICOMTests'
/// PipelineParityTests; here the whole command, as a user runs it, must give the same label map).
@Suite struct ProcessParityTests {
    static let fixtures = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/pipeline-parity")

    @Test func labelMapMatchesMONAIOnARealCT() async throws { try await offPool {
        let bundle = Self.fixtures.appendingPathComponent("ct3d")
        let info = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: bundle.appendingPathComponent("reference.json"))) as? [String: Any])
        let series = CLI.shared.appendingPathComponent("dicom").appendingPathComponent(try #require(info["series"] as? String))
        try #require(FileManager.default.fileExists(atPath: series.path),
                     "the shared corpus is missing: \(series.path) (set SEGD_SHARED or put ../shared beside the repo)")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.segd(["process", series.path, "--model", bundle.path, "--output", dir.path, "--json", "--nrrd"])
        try #require(r.status == 0, "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["windows"] as? Int == info["windows"] as? Int)
        let outputs = try #require(summary["outputs"] as? [String: String])
        let nrrd = try Data(contentsOf: URL(fileURLWithPath: try #require(outputs["labelmap"])))
        // Raw NRRD: the header ends at the first blank line.
        let headerEnd = try #require(nrrd.firstRange(of: Data("\n\n".utf8)))
        let ours = [UInt8](nrrd[headerEnd.upperBound...])
        let shape = try #require(info["sourceShape"] as? [Int])
        let theirs = try Self.decodeRLE(Data(contentsOf: bundle.appendingPathComponent("labels.rle")))
        try #require(ours.count == shape.reduce(1, *) && theirs.count == ours.count)
        var inA = [Int](repeating: 0, count: 256), inB = inA, both = inA
        for i in ours.indices {
            inA[Int(ours[i])] += 1
            inB[Int(theirs[i])] += 1
            if ours[i] == theirs[i] { both[Int(ours[i])] += 1 }
        }
        for label in 1..<(try #require(info["channels"] as? Int)) {
            let dice = 2 * Double(both[label]) / Double(max(1, inA[label] + inB[label]))
            #expect(dice >= 0.999, "Dice of label \(label): \(dice)")
        }
        // The summary's voxel counts are the label map's.
        let labels = try #require(summary["labels"] as? [[String: Any]])
        for entry in labels {
            let label = try #require(entry["label"] as? Int)
            #expect(entry["voxels"] as? Int == inA[label])
        }
    }
    }

    /// Runs of (label byte, unsigned LEB128 length), as the generator writes them.
    static func decodeRLE(_ data: Data) throws -> [UInt8] {
        var out: [UInt8] = []
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let value = bytes[i]
            i += 1
            var length = 0, shift = 0
            repeat {
                let b = try #require(i < bytes.count ? bytes[i] : nil, "truncated run")
                i += 1
                length |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            } while true
            out.append(contentsOf: repeatElement(value, count: length))
        }
        return out
    }
}
