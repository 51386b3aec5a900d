@testable import NN

/// Deterministic test data from a 64-bit LCG (Knuth's MMIX constants): values uniform in
/// [-scale/2, scale/2), the same sequence for the same seed.
func pseudoRandomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var state = seed
    return Tensor(shape: shape) { buf in
        for i in 0..<buf.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            buf[i] = (Float(state >> 40) / Float(1 << 24) - 0.5) * scale
        }
    }
}
