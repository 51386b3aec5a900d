import Foundation
import NN
import SegModelKit
import Testing

/// Paths and fixture loading for the plugin's tests.
enum Fixtures {
    /// The repository root, found from this file's location (Plugins/UNet/Tests/Support.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The copied fixture folder of `name`.
    static func folder(_ name: String) -> URL {
        repoRoot.appendingPathComponent("Plugins/UNet/Tests/Fixtures/models/\(name)")
    }

    static func description(_ dir: URL) throws -> NetworkDescription {
        let text = try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8)
        return try NetworkDescription(json: text)
    }

    static func tensor(_ dir: URL, _ file: String, key: String) throws -> Tensor {
        try SafeTensorsFile(path: dir.appendingPathComponent(file).path).tensor(key)
    }

    static func weights(_ dir: URL) throws -> WeightStore {
        try WeightStore(path: dir.appendingPathComponent("model.safetensors").path)
    }

    /// The folder SwiftPM builds into (the one holding the `segd` executable).
    static let buildFolder: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("segd").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()
}

/// max |a - b| over equal-shaped tensors.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in zip(pa, pb).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) } }
    }
}

func maxAbs(_ a: Tensor) -> Float { a.withUnsafeBufferPointer { $0.reduce(Float(0)) { max($0, abs($1)) } } }

/// Runs fixture `name` through the plugin and checks it against the float64 reference.
func checkParity(_ name: String, folder: URL? = nil) throws {
    let dir = folder ?? Fixtures.folder(name)
    let net = try UNetPluginAccess.make(try Fixtures.description(dir), try Fixtures.weights(dir))
    let x = try Fixtures.tensor(dir, "input.safetensors", key: "x")
    let ref = try Fixtures.tensor(dir, "reference.safetensors", key: "y")
    let y = try net.forward(x)
    #expect(y.shape == ref.shape)
    let err = maxAbsDiff(y, ref), bound = 1e-4 * max(1, maxAbs(ref))
    print("parity \(name): max|y - y_ref| = \(err) (bound \(bound), max|y_ref| = \(maxAbs(ref)))")
    #expect(err <= bound, "\(name): max abs error \(err) > \(bound)")
}
