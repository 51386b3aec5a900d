import NN
import SegModelKit
import Testing
@testable import UNetPlugin

@Suite struct UNetParityTests {
    @Test func unet3dSmall() throws { try checkParity("unet3d_small") }
    @Test func unet2dSmall() throws { try checkParity("unet2d_small") }
    @Test func basicUNet3dSmall() throws { try checkParity("basicunet3d_small") }
}
