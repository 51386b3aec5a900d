import Foundation
import NN

/// `segd model run`: one forward pass of a user's exported network through its plugin, from a safetensors
/// input (key `x`) to a safetensors output (key `y`), optionally compared with a reference output.
public struct ModelRun {
    public struct Report: Sendable {
        public var plugin: String
        public var pluginPath: String
        public var networkClass: String
        public var inputShape: [Int]
        public var outputShape: [Int]
        public var loadSeconds: Double
        public var inferSeconds: Double
        /// max |y − y_ref| and max |y_ref|, when a reference was given.
        public var comparison: (maxAbsError: Float, maxAbsReference: Float)?

        /// Whether the comparison meets segd's parity tolerance: max|y − y_ref| ≤ 1e-4 · max(1, max|y_ref|).
        public var withinTolerance: Bool? {
            comparison.map { $0.maxAbsError <= 1e-4 * max(1, $0.maxAbsReference) }
        }
    }

    public var networkPath: String
    public var weightsPath: String
    public var inputPath: String
    public var outputPath: String?
    public var referencePath: String?
    public var threads: Int

    public init(networkPath: String, weightsPath: String, inputPath: String, outputPath: String?,
                referencePath: String? = nil, threads: Int = 0) {
        self.networkPath = networkPath
        self.weightsPath = weightsPath
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.referencePath = referencePath
        self.threads = threads
    }

    public func run(registry: PluginRegistry) throws -> Report {
        let json: String
        do {
            json = try String(contentsOfFile: networkPath, encoding: .utf8)
        } catch {
            throw ModelError(.io, "cannot read the network description \(networkPath): \(error.localizedDescription)")
        }
        let description = try NetworkDescription(json: json)
        let plugin = try registry.plugin(for: description.className)
        let x = try Self.readTensor(inputPath, key: "x")

        let t0 = Date()
        let network = try PluginNetwork(plugin: plugin, description: description, weightsPath: weightsPath,
                                        threads: threads)
        let t1 = Date()
        let y = try network.forward(x)
        let t2 = Date()

        if let outputPath {
            do {
                try SafeTensorsWriter.write(["y": y], metadata: ["producer": "segd model run"], to: outputPath)
            } catch {
                throw ModelError(.io, "cannot write \(outputPath): \(error)")
            }
        }
        var report = Report(plugin: plugin.name, pluginPath: plugin.path, networkClass: description.className,
                            inputShape: x.shape, outputShape: y.shape, loadSeconds: t1.timeIntervalSince(t0),
                            inferSeconds: t2.timeIntervalSince(t1), comparison: nil)
        if let referencePath {
            let reference = try Self.readTensor(referencePath, key: "y")
            guard reference.shape == y.shape else {
                throw ModelError(.invalidTensor,
                                 "the reference output has shape \(reference.shape) but the network produced \(y.shape)")
            }
            report.comparison = Self.compare(y, reference)
        }
        return report
    }

    static func readTensor(_ path: String, key: String) throws -> Tensor {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(path: path)
        } catch {
            throw ModelError(.io, "cannot read \(path): \(error)")
        }
        guard file.entries[key] != nil else {
            throw ModelError(.invalidTensor,
                             "\(path) has no tensor \"\(key)\" (it has: \(file.names.joined(separator: ", "))); store the tensor under the key \"\(key)\"")
        }
        return try file.tensor(key)
    }

    static func compare(_ y: Tensor, _ reference: Tensor) -> (maxAbsError: Float, maxAbsReference: Float) {
        y.withUnsafeBufferPointer { a in
            reference.withUnsafeBufferPointer { b in
                var err: Float = 0, ref: Float = 0
                for i in 0..<a.count {
                    let d = abs(a[i] - b[i])
                    if d > err || d.isNaN { err = d.isNaN ? .infinity : d }
                    ref = max(ref, abs(b[i]))
                }
                return (err, ref)
            }
        }
    }
}
