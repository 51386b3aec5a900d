/// Stateless tensor operations, named and parameterised like `torch.nn.functional`.
///
/// All functions take batched tensors (N first). Spatial ops accept 2-D maps `[N, C, H, W]` and 3-D volumes
/// `[N, C, D, H, W]`. Shape errors throw `NNError` with code `.shapeMismatch`.
public enum Functional {}

/// Expands a per-axis parameter given as one value or one value per spatial axis.
func expand(_ values: [Int], to dims: Int, name: String) throws -> [Int] {
    if values.count == dims { return values }
    if values.count == 1 { return Array(repeating: values[0], count: dims) }
    throw NNError(.invalidArgument, "\(name) has \(values.count) values, expected 1 or \(dims)")
}

/// Number of spatial dimensions of an `[N, C, spatial...]` tensor (2 or 3), or a shape error.
func spatialDims(_ x: Tensor, op: String) throws -> Int {
    guard x.rank == 4 || x.rank == 5 else {
        throw NNError(.shapeMismatch, "\(op) expects [N, C, H, W] or [N, C, D, H, W], got \(shapeString(x.shape))")
    }
    return x.rank - 2
}

/// Spatial extents as (D, H, W), with D = 1 for 2-D maps.
func dhw(_ shape: [Int]) -> (Int, Int, Int) {
    shape.count == 5 ? (shape[2], shape[3], shape[4]) : (1, shape[2], shape[3])
}

/// Per-axis parameters as (d, h, w), with `one` for the depth of 2-D ops.
func triple(_ v: [Int], one: Int) -> (Int, Int, Int) {
    v.count == 3 ? (v[0], v[1], v[2]) : (one, v[0], v[1])
}
