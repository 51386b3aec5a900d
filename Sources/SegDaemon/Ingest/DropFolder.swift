import Foundation
import SegModelKit

/// Listing drop folders byte-exactly (names need not be UTF-8) without following symbolic links.
public enum DropFolder {
    /// Whether a file name is one the ingest ignores: dotfiles and files still being written by convention.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.hasSuffix(".segd-part")
    }

    /// `raw` as a String; a name that is not valid UTF-8 is first renamed in place to a safe UTF-8 name
    /// (`nonutf8-<hash>`), which is returned. nil: the rename failed.
    public static func usableName(_ raw: [UInt8], in folder: String) -> String? {
        if let s = String(validating: raw, as: UTF8.self) { return s }
        let safe = "nonutf8-" + SHA256.hash(Data(raw)).prefix(16)
        var from = Array(folder.utf8) + [UInt8(ascii: "/")] + raw + [0]
        let to = (folder as NSString).appendingPathComponent(safe)
        let ok = from.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { rename($0, to) == 0 }
        }
        return ok ? safe : nil
    }

    /// Regular files under `folder` (recursively; symbolic links neither followed nor reported), whose last
    /// change is at least `minimumAge` seconds old, plus the sub-folders seen.
    public static func scan(_ folder: String, minimumAge: TimeInterval, now: Date = Date())
        -> (files: [String], folders: [String])
    {
        var files: [String] = []
        var folders: [String] = []
        var stack = [folder]
        // An entry renamed to a UTF-8 name during the listing may be listed again under its new name.
        var seen: Set<String> = []
        while let dir = stack.popLast() {
            guard let handle = opendir(dir) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if raw == [46] || raw == [46, 46] { continue }
                guard let name = usableName(raw, in: dir) else { continue }
                let path = (dir as NSString).appendingPathComponent(name)
                guard seen.insert(path).inserted else { continue }
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    folders.append(path)
                    stack.append(path)
                case S_IFREG:
                    let changed = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) * 1e-9
                    if now.timeIntervalSince1970 - changed >= minimumAge, !isIgnored(name) { files.append(path) }
                default:
                    continue
                }
            }
        }
        return (files.sorted(), folders)
    }
}
