/// Orientation axis codes as in MONAI/nibabel (e.g. "RAS"): for each array axis, the anatomical direction
/// that increasing index points to. Any permutation of one letter from each pair L/R, A/P, S/I.
public struct AxisCodes: Sendable, Hashable, CustomStringConvertible {
    /// The LPS world axis (0 = L/R, 1 = P/A, 2 = S/I) of each array axis.
    public let worldAxis: SIMD3<Int>
    /// +1 when increasing index runs toward +LPS (L, P, S), −1 toward R, A, I.
    public let lpsSign: SIMD3<Int>

    public init(_ text: String) throws(ModelError) {
        let letters = Array(text.uppercased())
        guard letters.count == 3 else {
            throw ModelError(.invalidManifest,
                             "orientation \"\(text)\" must be 3 letters, one of L/R, A/P, S/I each, e.g. \"RAS\"")
        }
        var axis = SIMD3<Int>(repeating: -1), sign = SIMD3<Int>(repeating: 0)
        for (i, c) in letters.enumerated() {
            switch c {
            case "L": (axis[i], sign[i]) = (0, 1)
            case "R": (axis[i], sign[i]) = (0, -1)
            case "P": (axis[i], sign[i]) = (1, 1)
            case "A": (axis[i], sign[i]) = (1, -1)
            case "S": (axis[i], sign[i]) = (2, 1)
            case "I": (axis[i], sign[i]) = (2, -1)
            default:
                throw ModelError(.invalidManifest,
                                 "orientation \"\(text)\": \"\(c)\" is not an axis code; use L/R, A/P, S/I, e.g. \"RAS\"")
            }
        }
        guard Set([axis.x, axis.y, axis.z]).count == 3 else {
            throw ModelError(.invalidManifest,
                             "orientation \"\(text)\" names an axis twice; use one of L/R, A/P and S/I each, e.g. \"RAS\"")
        }
        worldAxis = axis
        lpsSign = sign
    }

    public var description: String {
        var s = ""
        for i in 0..<3 {
            let pair: (Character, Character) = [("L", "R"), ("P", "A"), ("S", "I")][worldAxis[i]]
            s.append(lpsSign[i] > 0 ? pair.0 : pair.1)
        }
        return s
    }
}
