import Foundation

/// Shell scripts that tests execute in place of real programs (a hanging scanner, a crashing worker).
///
/// Writing a file and then executing it from a test process is racy: tests run in parallel, and a process
/// another test forks while this one still holds the file open for writing inherits that descriptor, so the
/// `exec` fails with ETXTBSY ("Text file busy"; CI saw it once as NSCocoaErrorDomain error 256). Here the text
/// goes to a side file, and a short-lived `install` child copies it to the final path with mode 0755: the only
/// descriptor ever open for writing on the executable belongs to that child, which has exited before anyone
/// runs the script.
public enum ExecutableScript {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `#!/bin/sh` + `body` to `path` (mode 0755) and returns `path`.
    @discardableResult
    public static func write(_ body: String, to path: String) throws -> String {
        let text = path + ".text"
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: text))
        defer { unlink(text) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/install")
        p.arguments = ["-m", "0755", text, path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            throw Failure(description: "install -m 0755 \(text) \(path) failed (status \(p.terminationStatus))")
        }
        return path
    }

    /// A script in the temporary directory under a unique name; the caller unlinks it.
    public static func temporary(_ body: String, prefix: String = "segd-test") throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8)).sh"
        return try write(body, to: FileManager.default.temporaryDirectory.appendingPathComponent(name).path)
    }
}
