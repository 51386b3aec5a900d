import Foundation
import NN
import SegModelKit
import Testing
@testable import UTNetPlugin

/// Paths and loaders shared by the UTNet plugin tests.
enum Fixtures {
    /// The repository root, from this file's location (Plugins/UTNet/Tests/Support.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository, or `$SEGD_SHARED`.
    static let shared: URL = ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
        ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// A fixture folder: the copy in the repository, else `<shared>/fixtures/<name>`. Fails loudly when absent.
    static func folder(_ name: String) throws -> URL {
        let local = repoRoot.appendingPathComponent("Plugins/UTNet/Tests/Fixtures/models/\(name)")
        if FileManager.default.fileExists(atPath: local.appendingPathComponent("model.safetensors").path) { return local }
        let remote = shared.appendingPathComponent("fixtures/\(name)")
        guard FileManager.default.fileExists(atPath: remote.appendingPathComponent("model.safetensors").path) else {
            throw FixtureMissing(message: "fixture \(name) is neither in the repository nor in \(remote.path); put the shared data beside the repository or set SEGD_SHARED")
        }
        return remote
    }

    static func description(_ name: String) throws -> NetworkDescription {
        try NetworkDescription(json: String(contentsOf: folder(name).appendingPathComponent("config.json"), encoding: .utf8))
    }

    static func tensor(_ name: String, _ file: String, _ key: String) throws -> Tensor {
        try SafeTensorsFile(path: folder(name).appendingPathComponent(file).path).tensor(key)
    }

    static func weightsPath(_ name: String) throws -> String {
        try folder(name).appendingPathComponent("model.safetensors").path
    }

    /// All weights of a fixture in memory, with `edit` applied (to remove, add or change keys).
    static func memoryStore(_ name: String, edit: (inout [String: Tensor], inout [String: [Int64]]) -> Void = { _, _ in })
        throws -> WeightStore
    {
        let file = try SafeTensorsFile(path: weightsPath(name))
        var floats: [String: Tensor] = [:], ints: [String: [Int64]] = [:]
        for key in file.names {
            if key.hasSuffix("relative_position_index") || key.hasSuffix("num_batches_tracked") {
                ints[key] = try file.int64Array(key)
            } else {
                floats[key] = try file.tensor(key)
            }
        }
        edit(&floats, &ints)
        return WeightStore(tensors: floats, integers: ints)
    }

    /// The build folder of this test run (holds libSegdPluginUTNet.so).
    static let buildFolder: URL = {
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("libSegdPluginUTNet.so").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()
}

struct FixtureMissing: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// max |a − b| and max |b|; the error is infinite when `y` holds NaN or infinities or the sizes differ.
func maxErrors(_ y: Tensor, _ ref: Tensor) -> (err: Float, scale: Float) {
    let a = y.toArray(), b = ref.toArray()
    var err: Float = a.count == b.count ? 0 : .infinity, scale: Float = 0
    for i in 0..<min(a.count, b.count) {
        let d = abs(a[i] - b[i])
        err = d.isFinite ? max(err, d) : .infinity
        scale = max(scale, abs(b[i]))
    }
    return (err, scale)
}

/// Runs a fixture through an in-process network and checks it against the float64 reference.
func expectParity(_ network: any SegmentationNetwork, _ name: String) throws -> Float {
    let x = try Fixtures.tensor(name, "input.safetensors", "x")
    let ref = try Fixtures.tensor(name, "reference.safetensors", "y")
    let y = try network.forward(x)
    #expect(y.shape == ref.shape)
    let (err, scale) = maxErrors(y, ref)
    print("UTNet parity \(name): max|y - y_ref| = \(err) (max|y_ref| = \(scale), bound \(1e-4 * max(1, scale)))")
    #expect(err <= 1e-4 * max(1, scale), "\(name): max abs error \(err)")
    return err
}
