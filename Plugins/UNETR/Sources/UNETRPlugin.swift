import NN
import SegModelKit

/// The built-in plugin for `monai.networks.nets.UNETR`.
public enum UNETRPlugin: ModelPlugin {
    public static let name = "unetr"
    public static let version = "1.0.0"
    public static let classes = [MonaiUNETR.className]

    public static func makeNetwork(_ description: NetworkDescription, weights: WeightStore) throws -> any SegmentationNetwork {
        guard description.className == MonaiUNETR.className else {
            throw ModelError(.unknownNetworkClass,
                             "plugin unetr does not implement \(description.className); it implements \(MonaiUNETR.className)")
        }
        return try MonaiUNETR(description, weights: weights)
    }
}
