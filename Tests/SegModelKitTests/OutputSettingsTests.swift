import Foundation
import Testing
@testable import SegModelKit

@Suite struct OutputSettingsTests {
    /// Softmax over channels per voxel (channel-major buffer), as torch.softmax(dim=channel).
    @Test func softmaxOverChannels() {
        var v: [Float] = [1, 0, 3, /* channel 1 */ 2, 0, -1]
        v.withUnsafeMutableBufferPointer {
            OutputSettings(activation: .softmax, decision: .argmax).activate($0, channels: 2, count: 3)
        }
        let e = 1 / (1 + exp(Float(-1)))  // softmax([1, 2])[1]
        #expect(abs(v[3] - e) < 1e-6 && abs(v[0] - (1 - e)) < 1e-6)
        #expect(v[1] == 0.5 && v[4] == 0.5)
        #expect(abs(v[2] + v[5] - 1) < 1e-6 && v[2] > v[5])
    }

    @Test func sigmoidThenThreshold() {
        var v: [Float] = [0, 3, -3, /* channel 1 */ 2, 4, -5]
        let settings = OutputSettings(activation: .sigmoid, decision: .threshold(0.5))
        v.withUnsafeMutableBufferPointer { settings.activate($0, channels: 2, count: 3) }
        #expect(v[0] == 0.5)
        let labels = v.withUnsafeBufferPointer { p in (0..<3).map { settings.label(p.baseAddress! + $0, channels: 2, stride: 3) } }
        // Voxel 0: channel 0 is exactly 0.5 (≥ threshold) but channel 1 is larger → label 2.
        // Voxel 1: both above, channel 1 larger → 2. Voxel 2: none above → 0.
        #expect(labels == [2, 2, 0])
    }

    @Test func argmaxTakesTheFirstMaximum() {
        let v: [Float] = [0.5, 0.2, /* channel 1 */ 0.5, 0.7]
        let settings = OutputSettings(activation: .none, decision: .argmax)
        let labels = v.withUnsafeBufferPointer { p in (0..<2).map { settings.label(p.baseAddress! + $0, channels: 2, stride: 2) } }
        #expect(labels == [0, 1])
    }

    /// The row-wise decision used by the pipeline agrees with the per-voxel one, ties included.
    @Test(arguments: [OutputSettings.Decision.argmax, .threshold(0.5)]) func rowDecisionAgrees(decision: OutputSettings.Decision) {
        var rng = SplitMix(seed: 11)
        let (channels, count) = (4, 300)
        let values = (0..<channels * count).map { _ in Float(rng.next() % 5) / 4 }  // many ties
        let settings = OutputSettings(activation: .none, decision: decision)
        var row = [UInt8](repeating: 9, count: count)
        values.withUnsafeBufferPointer { p in
            row.withUnsafeMutableBufferPointer { settings.labelRow(p.baseAddress!, count: count, channels: channels, stride: count, into: $0.baseAddress!) }
            for v in 0..<count { #expect(row[v] == settings.label(p.baseAddress! + v, channels: channels, stride: count)) }
        }
    }
}
