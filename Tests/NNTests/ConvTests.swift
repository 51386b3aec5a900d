@testable import NN
import Testing

@Suite struct ConvTests {
    static let convCases = [
        "conv2d_basic", "conv2d_s2_nobias", "conv2d_depthwise", "conv2d_depthwise_mult2_s2", "conv2d_groups2",
        "conv2d_1x1", "conv2d_k53_s21_p21", "conv3d_basic", "conv3d_s2", "conv3d_1x1", "conv3d_patch16",
        "conv3d_tiled", "conv3d_depthwise", "conv2d_k53_p21_s1", "conv3d_k3_p0", "conv3d_k3_p2", "conv3d_k2_p0", "conv2d_wide", "conv3d_wide",
    ]

    @Test(arguments: convCases) func convMatchesPyTorch(_ name: String) throws {
        let p = try Fixtures.params(name)
        let y = try Functional.conv(try Fixtures.tensor(name + ".x"), weight: try Fixtures.tensor(name + ".w"),
                                    bias: try Fixtures.optional(name + ".b"), stride: p.ints("stride"),
                                    padding: p.ints("padding"), groups: p.int("groups"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    /// Forces stride-1 tiles of 12, 36 and 84 padded-grid columns (a padded row is 14 wide, a plane 168), so
    /// tiles start and end mid-row and mid-plane.
    @Test(arguments: [1, 3, 7]) func tiledConvMatchesPyTorch(_ rowsPerTile: Int) throws {
        let name = "conv3d_tiled"
        let p = try Fixtures.params(name)
        let x = try Fixtures.tensor(name + ".x"), w = try Fixtures.tensor(name + ".w")
        let ow = x.shape[4]
        // n = min(256, tileElements / 16) when that exceeds tileElements / K.
        let y = try Functional.conv(x, weight: w, bias: try Fixtures.optional(name + ".b"), stride: p.ints("stride"),
                                    padding: p.ints("padding"), groups: 1, tileElements: rowsPerTile * ow * 16)
        expectClose(y, try Fixtures.tensor(name + ".y"), "\(name) tile \(rowsPerTile)")
    }

    /// The strided path with tiles of 1 and 2 output rows (conv3d_s2 has 2 batches × 5·4 rows).
    @Test(arguments: [1, 2]) func tiledStridedConvMatchesPyTorch(_ rowsPerTile: Int) throws {
        let name = "conv3d_s2"
        let x = try Fixtures.tensor(name + ".x"), w = try Fixtures.tensor(name + ".w")
        let y = try Functional.conv(x, weight: w, bias: try Fixtures.optional(name + ".b"), stride: [2], padding: [1],
                                    groups: 1, tileElements: rowsPerTile * w.shape[1] * 27 * 4)
        expectClose(y, try Fixtures.tensor(name + ".y"), "\(name) tile \(rowsPerTile)")
    }

    /// A conv of a virtual channel concatenation equals the conv of the real concatenation.
    @Test(arguments: ["conv3d_basic", "conv2d_basic", "conv3d_s2", "conv2d_wide"])
    func convOfConcatenation(_ name: String) throws {
        let p = try Fixtures.params(name)
        let x = try Fixtures.tensor(name + ".x"), w = try Fixtures.tensor(name + ".w"), b = try Fixtures.optional(name + ".b")
        let c = x.shape[1]
        let parts = try (0..<c).map { try Functional.slice(x, axis: 1, start: $0, length: 1) }
        let split = [try Functional.concat(Array(parts.prefix(c - 1)), axis: 1), parts[c - 1]]
        let y = try Functional.conv(concatenating: split, weight: w, bias: b, stride: p.ints("stride"), padding: p.ints("padding"))
        expectClose(y, try Fixtures.tensor(name + ".y"), "\(name) via concatenation")
        #expect(throws: NNError.self) {
            try Functional.conv(concatenating: [x, try Functional.slice(x, axis: 2, start: 0, length: 2)], weight: w)
        }
    }

    static let convTCases = ["convT3d_k3s2p1op1", "convT3d_k2s2_nobias", "convT2d_k3s2p1op1", "convT2d_k2s2",
                             "convT2d_k3s1p1"]

    @Test(arguments: convTCases) func convTransposeMatchesPyTorch(_ name: String) throws {
        let p = try Fixtures.params(name)
        let y = try Functional.convTranspose(
            try Fixtures.tensor(name + ".x"), weight: try Fixtures.tensor(name + ".w"),
            bias: try Fixtures.optional(name + ".b"), stride: p.ints("stride"), padding: p.ints("padding"),
            outputPadding: p.ints("outputPadding"))
        expectClose(y, try Fixtures.tensor(name + ".y"), name)
    }

    @Test(arguments: [1, 4]) func tiledConvTransposeMatchesPyTorch(_ rowsPerTile: Int) throws {
        let name = "convT3d_k3s2p1op1"
        let x = try Fixtures.tensor(name + ".x"), w = try Fixtures.tensor(name + ".w")
        let y = try Functional.convTranspose(x, weight: w, bias: try Fixtures.optional(name + ".b"), stride: [2],
                                             padding: [1], outputPadding: [1],
                                             tileElements: rowsPerTile * w.shape[1] * 27 * x.shape[4])
        expectClose(y, try Fixtures.tensor(name + ".y"), "\(name) tile \(rowsPerTile)")
    }

    @Test func convRejectsBadShapes() throws {
        let x = Tensor(shape: [1, 3, 5, 5])
        #expect(throws: NNError.self) { try Functional.conv(x, weight: Tensor(shape: [4, 2, 3, 3])) }
        #expect(throws: NNError.self) { try Functional.conv(x, weight: Tensor(shape: [4, 3, 7, 7])) }
        #expect(throws: NNError.self) { try Functional.conv(Tensor(shape: [3, 5, 5]), weight: Tensor(shape: [4, 3, 3, 3])) }
        #expect(throws: NNError.self) {
            try Functional.conv(x, weight: Tensor(shape: [4, 3, 3, 3]), bias: Tensor(shape: [3]))
        }
    }
}
