import Foundation

/// A fresh folder under the system temporary folder for one test; call `remove()` (in a `defer`) when done.
struct TempFolder {
    let path: String

    init(_ label: String = "segd-test", under base: String = NSTemporaryDirectory()) throws {
        var template = Array((base as NSString).appendingPathComponent("\(label)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    func sub(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates `sub(name)` as a folder and returns its path.
    @discardableResult
    func folder(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: sub(name), withIntermediateDirectories: true)
        return sub(name)
    }

    /// Writes `text` to `sub(name)` and returns its path.
    @discardableResult
    func file(_ name: String, _ text: String = "x") throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: sub(name)))
        return sub(name)
    }

    func remove() {
        // Read-only folders made by a test would stop the removal: give the owner write access back first.
        if let walker = FileManager.default.enumerator(atPath: path) {
            while let name = walker.nextObject() as? String { chmod(sub(name), 0o755) }
        }
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` passed; returns whether it held. For events that
/// arrive asynchronously (inotify, worker exits): no assertion on how fast, only that they arrive.
func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// The file's inode number (to tell a rename from a copy).
func inode(_ path: String) -> UInt64? {
    var st = stat()
    return lstat(path, &st) == 0 ? UInt64(st.st_ino) : nil
}
