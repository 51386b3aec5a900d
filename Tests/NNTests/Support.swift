import Foundation
@testable import NN
import Testing

/// Locations and loaders for the committed PyTorch fixtures (Tests/Fixtures/nn-ops).
enum Fixtures {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath)  // Tests/NNTests/Support.swift
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn-ops").path
    }()

    /// The op fixture file, opened once; every test using it fails (never skips) when it is missing.
    private static let opened = Result { try SafeTensorsFile(path: directory + "/ops.safetensors") }

    static func ops() throws -> SafeTensorsFile { try opened.get() }

    static func tensor(_ name: String) throws -> Tensor { try ops().tensor(name) }
    static func optional(_ name: String) throws -> Tensor? { try ops().entries[name] == nil ? nil : try ops().tensor(name) }

    /// The JSON parameters of a case.
    static func params(_ name: String) throws -> [String: Any] {
        let s = try #require(try ops().metadata[name], "no case \(name) in ops.safetensors")
        return try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }
}

extension Dictionary where Key == String, Value == Any {
    func ints(_ k: String) -> [Int] { (self[k] as? [NSNumber])?.map(\.intValue) ?? [] }
    func int(_ k: String) -> Int { (self[k] as? NSNumber)?.intValue ?? 0 }
    func float(_ k: String) -> Float { (self[k] as? NSNumber)?.floatValue ?? 0 }
    func bool(_ k: String) -> Bool { (self[k] as? NSNumber)?.boolValue ?? false }
    func doubles(_ k: String) -> [Double]? { (self[k] as? [NSNumber])?.map(\.doubleValue) }
}

/// Expects `actual` to match `expected` in shape and within `tol · max(1, max|expected|)` elementwise.
func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String, tol: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.toArray(), e = expected.toArray()
    var maxErr: Float = 0, maxRef: Float = 0
    for i in 0..<a.count {
        maxErr = max(maxErr, abs(a[i] - e[i]).isNaN ? .infinity : abs(a[i] - e[i]))
        maxRef = max(maxRef, abs(e[i]))
    }
    #expect(maxErr <= tol * max(1, maxRef), "\(what): max abs error \(maxErr) (max |ref| \(maxRef))",
            sourceLocation: sourceLocation)
}
