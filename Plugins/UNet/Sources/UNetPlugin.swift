import NN
import SegModelKit

/// The built-in plugin for MONAI's convolutional U-Nets: `monai.networks.nets.UNet` and `BasicUNet`.
public enum UNetPlugin: ModelPlugin {
    public static let name = "unet"
    public static let version = "1.0.0"
    public static let classes = [MonaiUNet.className, MonaiBasicUNet.className]

    public static func makeNetwork(_ description: NetworkDescription, weights: WeightStore) throws -> any SegmentationNetwork {
        switch description.className {
        case MonaiUNet.className: return try MonaiUNet(description, weights: weights)
        case MonaiBasicUNet.className: return try MonaiBasicUNet(description, weights: weights)
        default:
            throw ModelError(.unknownNetworkClass,
                             "plugin unet does not implement \(description.className); it implements \(classes.joined(separator: ", "))")
        }
    }
}
