import Foundation
import Testing

/// Every PyTorch parity fixture with weights passes through `segd model run` and its plugin's C ABI.
@Suite struct ModelRunTests {
    static let fixtures: [String] = {
        let dir = CLI.shared.appendingPathComponent("fixtures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/model.safetensors").path)
        }.sorted()
    }()

    @Test func sharedFixturesArePresent() {
        #expect(Self.fixtures.count >= 7, "the PyTorch fixtures are missing: expected them in \(CLI.shared.path)/fixtures")
    }

    @Test(arguments: fixtures)
    func fixtureMatchesPyTorch(_ name: String) throws {
        let f = CLI.shared.appendingPathComponent("fixtures/\(name)")
        let out = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let y = out.appendingPathComponent("y.safetensors").path
        let r = try CLI.segd(["model", "run", "--network", f.appendingPathComponent("config.json").path,
                              "--weights", f.appendingPathComponent("model.safetensors").path,
                              "--input", f.appendingPathComponent("input.safetensors").path,
                              "--output", y, "--compare", f.appendingPathComponent("reference.safetensors").path])
        #expect(r.status == 0, "segd model run failed for \(name): \(r.stderr)\(r.stdout)")
        #expect(r.stdout.contains("compare: ") && r.stdout.contains(": OK"), "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: y))
    }

    @Test func unknownClassIsAClearError() throws {
        let out = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let net = out.appendingPathComponent("net.json")
        try Data(#"{"class": "monai.networks.nets.SwinUNETR", "kwargs": {}}"#.utf8).write(to: net)
        let f = CLI.shared.appendingPathComponent("fixtures/utnet_small")
        let r = try CLI.segd(["model", "run", "--network", net.path,
                              "--weights", f.appendingPathComponent("model.safetensors").path,
                              "--input", f.appendingPathComponent("input.safetensors").path, "--output",
                              out.appendingPathComponent("y.safetensors").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no plugin implements network class monai.networks.nets.SwinUNETR"), "\(r.stderr)")
    }

    @Test func pluginsCommandListsBuiltPlugins() throws {
        let r = try CLI.segd(["plugins", "--json"])
        #expect(r.status == 0)
        for cls in ["yhygao/UTNet:model.utnet.UTNet", "monai.networks.nets.UNet", "monai.networks.nets.BasicUNet",
                    "monai.networks.nets.UNETR"] {
            #expect(r.stdout.contains(cls), "segd plugins does not list \(cls): \(r.stdout)")
        }
    }
}
