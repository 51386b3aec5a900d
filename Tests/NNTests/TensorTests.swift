@testable import NN
import Testing

@Suite struct TensorTests {
    @Test func reshapeSharesDataAndChecksCount() throws {
        let t = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let r = try t.reshaped([3, -1])
        #expect(r.shape == [3, 2])
        #expect(r[2, 1] == 6)
        #expect(throws: NNError.self) { try t.reshaped([4, 2]) }
        #expect(throws: NNError.self) { try Tensor(shape: [2, 2], data: [1, 2, 3]) }
    }

    @Test func detectsNonFinite() throws {
        #expect(!(try Tensor(shape: [3], data: [1, -2, 0])).hasNonFinite)
        #expect(try Tensor(shape: [3], data: [1, .nan, 0]).hasNonFinite)
        #expect(try Tensor(shape: [2], data: [-.infinity, 0]).hasNonFinite)
    }

    @Test func copyOnWrite() throws {
        let a = try Tensor(shape: [3], data: [1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.toArray() == [1, 2, 3])
        #expect(b.toArray() == [9, 2, 3])
    }

    @Test func permuteAndConcatAndSlice() throws {
        let t = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        #expect(try Functional.permute(t, [1, 0]).toArray() == [1, 4, 2, 5, 3, 6])
        let c = try Functional.concat([t, t], axis: 1)
        #expect(c.shape == [2, 6])
        #expect(c.toArray() == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        #expect(try Functional.slice(c, axis: 1, start: 2, length: 2).toArray() == [3, 1, 6, 4])
        #expect(throws: NNError.self) { try Functional.concat([t, try t.reshaped([3, 2])], axis: 0) }
    }

    /// Long rows are copied in pieces by several workers.
    @Test func concatOfLargeBlocks() throws {
        let n = 300_001
        let a = Tensor(shape: [1, 3, n]) { p in for i in 0..<p.count { p[i] = Float(i) } }
        let b = Tensor(shape: [1, 2, n]) { p in for i in 0..<p.count { p[i] = -Float(i) } }
        let c = try Functional.concat([a, b], axis: 1)
        #expect(c.shape == [1, 5, n])
        let v = c.toArray()
        for i in stride(from: 0, to: 3 * n, by: 4999) { #expect(v[i] == Float(i)) }
        for i in stride(from: 0, to: 2 * n, by: 4999) { #expect(v[3 * n + i] == -Float(i)) }
        #expect(v[3 * n - 1] == Float(3 * n - 1) && v[5 * n - 1] == -Float(2 * n - 1))
    }

    @Test func broadcastingAdd() throws {
        let a = try Tensor(shape: [2, 1, 3], data: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [2, 1], data: [10, 20])
        let c = try Functional.add(a, b)
        #expect(c.shape == [2, 2, 3])
        #expect(c.toArray() == [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
        #expect(throws: NNError.self) { try Functional.add(a, try Tensor(shape: [2], data: [1, 2])) }
        #expect(try Functional.mul(a, b).toArray() == [10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120])
        #expect(try Functional.sub(a, a).toArray() == [0, 0, 0, 0, 0, 0])
        #expect(Functional.scale(a, by: -2).toArray() == [-2, -4, -6, -8, -10, -12])
    }
}
