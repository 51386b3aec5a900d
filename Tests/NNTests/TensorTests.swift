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
