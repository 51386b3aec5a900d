import Foundation
import Testing

/// `segd check-config`, run as a process (the binary `swift build --build-tests` puts beside the test bundle).
@Suite struct CheckConfigCommandTests {
    static func segd() throws -> URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let url = dir.appendingPathComponent("segd")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw CLIError(message: "segd is not built at \(url.path); run swift build --build-tests")
        }
        return url
    }

    struct CLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try segd()
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func theExampleIsOK() throws {
        let path = TestData.repoRoot.appendingPathComponent("Packaging/segd.conf").path
        let r = try Self.run(["check-config", "--config", path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasPrefix("\(path): OK\n") && r.out.contains("ct-axial-demo: 3 condition(s) -> demo-ct"))
    }

    @Test func errorsArePrintedAsPathLineKeyMessage() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-check-\(UUID().uuidString).conf")
        try Data("[processing]\nworkers = 99\nthreads = 2\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try Self.run(["check-config", "--config", url.path])
        #expect(r.status == 1)
        #expect(r.err.split(separator: "\n").prefix(2) == [
            "\(url.path):2: processing.workers: 99 is out of range 1...64",
            "\(url.path):3: processing.threads: unknown key",
        ][...], "\(r.err)")
        let missing = try Self.run(["check-config", "--config", "/nonexistent/segd.conf"])
        #expect(missing.status == 1 && missing.err.contains("does not exist"))
    }
}
