import Foundation

extension SafePathComponent {
    /// A file name from a drop folder (any bytes: `..`, newlines, non-UTF-8) made safe to create under segd's
    /// folders: letters, digits, `.`, `-`, `_` kept, everything else `_`; never empty, `.` or `..`, never a
    /// dotfile, at most 100 bytes.
    public static func fileName(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-" || scalar == "_")
            out.unicodeScalars.append(ok ? scalar : "_")
            if out.utf8.count >= 100 { break }
        }
        while out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }

    /// A name as it may be printed in a log or reason.txt: control characters escaped.
    public static func printable(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{FFFD}" {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
