import Foundation
public import NN
public import SegModelKit
import Testing

/// Paths and fixture loading shared by the plugin test targets (`Plugins/<X>/Tests`).
public struct PluginFixtures: Sendable {
    /// The plugin folder name under `Plugins/`, e.g. "UNet".
    public let plugin: String

    public init(plugin: String) { self.plugin = plugin }

    /// The repository root (this file is `<repo>/Tests/PluginTestKit/PluginFixtures.swift`).
    public let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository, or `$SEGD_SHARED`.
    public var shared: URL {
        ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The fixture folder copied into the plugin's tests.
    public func folder(_ name: String) -> URL {
        repoRoot.appendingPathComponent("Plugins/\(plugin)/Tests/Fixtures/models/\(name)")
    }

    /// A fixture of `../shared/fixtures`; records a failure (never a skip) when the shared data is missing.
    public func sharedFolder(_ name: String) -> URL? {
        let dir = shared.appendingPathComponent("fixtures/\(name)")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            Issue.record("fixture \(name) missing at \(dir.path): put ../shared beside the repo or set SEGD_SHARED")
            return nil
        }
        return dir
    }

    public func description(_ dir: URL) throws -> NetworkDescription {
        try NetworkDescription(json: String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8))
    }

    public func tensor(_ dir: URL, _ file: String, key: String) throws -> Tensor {
        try SafeTensorsFile(path: dir.appendingPathComponent(file).path).tensor(key)
    }

    public func weights(_ dir: URL) throws -> WeightStore {
        try WeightStore(path: dir.appendingPathComponent("model.safetensors").path)
    }

    /// The fixture's network description with one kwarg set to `value`.
    public func description(_ dir: URL, setting key: String, to value: JSONValue) throws -> NetworkDescription {
        var d = try description(dir)
        d.kwargs[key] = value
        return d
    }

    /// The fixture's weights in memory, with `edit` applied to the float tensors (to remove, add or change
    /// keys); integer buffers (e.g. `num_batches_tracked`) are kept as they are.
    public func weights(_ dir: URL, editing edit: (inout [String: Tensor]) -> Void) throws -> WeightStore {
        let file = try SafeTensorsFile(path: dir.appendingPathComponent("model.safetensors").path)
        var floats: [String: Tensor] = [:], ints: [String: [Int64]] = [:]
        for (k, entry) in file.entries {
            switch entry.dtype {
            case .i64, .i32: ints[k] = try file.int64Array(k)
            default: floats[k] = try file.tensor(k)
            }
        }
        edit(&floats)
        return WeightStore(tensors: floats, integers: ints)
    }

    /// The folder SwiftPM builds into (the one holding the `segd` executable and the plugin libraries).
    public var buildFolder: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("segd").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// Runs the fixture in `dir` through a network built by `make` and checks it against the float64 reference:
    /// max|y − y_ref| ≤ 1e-4 · max(1, max|y_ref|).
    public func checkParity(_ name: String, in dir: URL,
                            make: (NetworkDescription, WeightStore) throws -> any SegmentationNetwork) throws {
        let net = try make(try description(dir), try weights(dir))
        let x = try tensor(dir, "input.safetensors", key: "x")
        let ref = try tensor(dir, "reference.safetensors", key: "y")
        let y = try net.forward(x)
        #expect(y.shape == ref.shape)
        let err = maxAbsDiff(y, ref), bound = 1e-4 * max(1, maxAbs(ref))
        print("parity \(name): max|y - y_ref| = \(err) (bound \(bound), max|y_ref| = \(maxAbs(ref)))")
        #expect(err <= bound, "\(name): max abs error \(err) > \(bound)")
    }
}

/// Runs `body` and requires an error whose description mentions `fragment`.
public func expectError(_ fragment: String, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error mentioning \(fragment)")
    } catch {
        #expect("\(error)".contains(fragment), "error \(error) should mention \(fragment)")
    }
}

/// max |a − b| over equal-shaped tensors (NaN counts as infinitely wrong).
public func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            zip(pa, pb).reduce(Float(0)) { acc, p in
                let d = abs(p.0 - p.1)
                return d.isNaN ? .infinity : max(acc, d)
            }
        }
    }
}

/// max |a|.
public func maxAbs(_ a: Tensor) -> Float { a.withUnsafeBufferPointer { $0.reduce(Float(0)) { max($0, abs($1)) } } }
