import NN

extension SlidingWindowInference {
    /// A predictor over NN tensors: the network gets an [N, C, spatial…] tensor and must return
    /// [N, C_out, same spatial…]. Errors of the engine become `ModelError`s with its message.
    public static func predictor(_ network: @escaping (Tensor) throws -> Tensor) -> Predictor {
        { patch, shape in
            let input: Tensor
            do { input = try Tensor(shape: shape, data: patch) } catch {
                throw ModelError(.invalidTensor, "cannot make the window tensor: \(error)")
            }
            let output = try network(input)
            guard output.rank == shape.count, output.shape[0] == shape[0], Array(output.shape[2...]) == Array(shape[2...]) else {
                throw ModelError(.invalidTensor,
                                 "the network returned shape \(output.shape) for input \(shape); segd needs [N, C_out] + the window size")
            }
            return output.toArray()
        }
    }
}
