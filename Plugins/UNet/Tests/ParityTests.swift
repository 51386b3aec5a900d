import NN
import SegModelKit
import Testing
@testable import UNetPlugin

enum UNetPluginAccess {
    static func make(_ d: NetworkDescription, _ w: WeightStore) throws -> any SegmentationNetwork {
        try UNetPlugin.makeNetwork(d, weights: w)
    }
}

@Suite struct UNetParityTests {
    @Test func unet3dSmall() throws { try checkParity("unet3d_small") }
    @Test func unet2dSmall() throws { try checkParity("unet2d_small") }
    @Test func basicUNet3dSmall() throws { try checkParity("basicunet3d_small") }
}
