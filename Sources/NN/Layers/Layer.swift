/// A network building block with a forward pass. Layers load their parameters from a `WeightStore` under a
/// key prefix (the PyTorch module path, e.g. `"model.0.conv.unit0.conv"`) and are immutable afterwards.
public protocol Layer: Sendable {
    /// Runs the layer on `x`.
    func forward(_ x: Tensor) throws -> Tensor
}

/// Joins a module prefix and a parameter name the way PyTorch's state_dict does.
func key(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

/// A sequence of layers applied in order (like `nn.Sequential`).
public struct Sequential: Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public func forward(_ x: Tensor) throws -> Tensor {
        var y = x
        for l in layers { y = try l.forward(y) }
        return y
    }
}

/// `nn.ReLU`.
public struct ReLU: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { Functional.relu(x) }
}

/// `nn.LeakyReLU(negative_slope)`.
public struct LeakyReLU: Layer {
    public let slope: Float
    public init(slope: Float = 0.01) { self.slope = slope }
    public func forward(_ x: Tensor) throws -> Tensor { Functional.leakyReLU(x, slope: slope) }
}

/// `nn.GELU()` (exact erf form).
public struct GELU: Layer {
    public init() {}
    public func forward(_ x: Tensor) throws -> Tensor { Functional.gelu(x) }
}

/// `nn.PReLU(num_parameters)`: key `<prefix>.weight` of shape `[numParameters]`.
public struct PReLU: Layer {
    public let weight: Tensor
    public init(_ store: WeightStore, prefix: String, numParameters: Int = 1) throws {
        weight = try store.tensor(key(prefix, "weight"), shape: [numParameters])
    }
    public func forward(_ x: Tensor) throws -> Tensor { try Functional.prelu(x, weight: weight) }
}

/// `nn.MaxPool2d` / `nn.MaxPool3d` without padding.
public struct MaxPool: Layer {
    public let kernel: [Int], stride: [Int]?
    public init(kernel: [Int], stride: [Int]? = nil) { self.kernel = kernel; self.stride = stride }
    public func forward(_ x: Tensor) throws -> Tensor { try Functional.maxPool(x, kernel: kernel, stride: stride) }
}
