import ArgumentParser
import Foundation
import SegModelKit

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Work with networks and their exported weights.",
        subcommands: [ModelRunCommand.self])
}

struct ModelRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one forward pass of a network, to check an export against PyTorch.",
        discussion: """
            The network is described as {"class": "<python class path>", "kwargs": {...}}, the weights are the \
            model's state_dict saved with safetensors, the input tensor is stored under key "x", and the output \
            is written under key "y". With --compare, the output is compared with a reference (key "y") and the \
            command fails when max|y - y_ref| > 1e-4 * max(1, max|y_ref|).
            """)

    @Option(help: "The network description JSON.") var network: String
    @Option(help: "The weights (.safetensors, PyTorch state_dict key names).") var weights: String
    @Option(help: "The input tensor (.safetensors, key \"x\").") var input: String
    @Option(help: "Where to write the output tensor (.safetensors, key \"y\").") var output: String?
    @Option(help: "A reference output to compare with (.safetensors, key \"y\").") var compare: String?
    @Option(help: "Compute threads (0 = all cores).") var threads: Int = 0
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard output != nil || compare != nil else {
            throw ValidationError("give --output to keep the result, --compare to check it, or both")
        }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
    }

    func run() throws {
        let job = ModelRun(networkPath: network, weightsPath: weights, inputPath: input, outputPath: output,
                           referencePath: compare, threads: threads)
        let report = try job.run(registry: plugins.registry())
        print("plugin:  \(report.plugin) (\(report.pluginPath))")
        print("network: \(report.networkClass)")
        print("input:   \(report.inputShape)  output: \(report.outputShape)")
        print(String(format: "time:    load %.3f s, forward %.3f s", report.loadSeconds, report.inferSeconds))
        if let output { print("wrote:   \(output)") }
        if let c = report.comparison {
            let ok = report.withinTolerance ?? false
            print("compare: max|y - y_ref| = \(c.maxAbsError), max|y_ref| = \(c.maxAbsReference): \(ok ? "OK" : "MISMATCH")")
            if !ok { throw ExitCode(1) }
        }
    }
}
