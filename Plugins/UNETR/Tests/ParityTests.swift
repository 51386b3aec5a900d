import Foundation
import NN
import SegModelKit
import Testing
@testable import UNETRPlugin

enum UNETRPluginAccess {
    static func make(_ d: NetworkDescription, _ w: WeightStore) throws -> any SegmentationNetwork {
        try UNETRPlugin.makeNetwork(d, weights: w)
    }
}

@Suite struct UNETRParityTests {
    @Test func unetrTiny() throws { try checkParity("unetr_tiny") }
    @Test func unetr2dTiny() throws { try checkParity("unetr2d_tiny") }

    /// unetr_small (8.5 MB) is not copied into the repo: it is read from ../shared (or $SEGD_SHARED).
    @Test func unetrSmall() throws {
        let shared = ProcessInfo.processInfo.environment["SEGD_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? Fixtures.repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
        let dir = shared.appendingPathComponent("fixtures/unetr_small")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            Issue.record("unetr_small fixture missing at \(dir.path): put ../shared beside the repo or set SEGD_SHARED")
            return
        }
        try checkParity("unetr_small", folder: dir)
    }
}
