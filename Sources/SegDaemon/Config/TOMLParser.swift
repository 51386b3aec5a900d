/// Parses the TOML subset described at `TOMLNode`. Collects every syntax error (with line and column) instead
/// of stopping at the first: after an error it skips to the next line that starts a key or a table header.
public struct TOMLParser {
    struct Failure: Error {
        var line: Int
        var column: Int
        var message: String
    }

    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0
    var root = TOMLTable(line: 1, column: 1)
    /// The key path of the current `[table]` / `[[table]]` section (empty: the root).
    var section: [String] = []
    /// The key being assigned, for error messages.
    var currentKey = ""
    var diagnostics: [ConfigDiagnostic] = []

    init(_ text: String) {
        var b = Array(text.utf8)
        // A UTF-8 byte order mark (some editors write one) is not part of the document.
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        bytes = b
    }

    /// The document's root table and every syntax error found.
    public static func parse(_ text: String) -> (root: TOMLTable, diagnostics: [ConfigDiagnostic]) {
        var parser = TOMLParser(text)
        parser.parseDocument()
        return (parser.root, parser.diagnostics)
    }

    var column: Int { index - lineStart + 1 }
    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ message: String) -> Failure { Failure(line: line, column: column, message: message) }

    mutating func parseDocument() {
        while !atEnd {
            skipSpaces()
            guard let c = peek else { break }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "#") {
                do throws(Failure) { try endOfLine() } catch { record(error); resync() }
                continue
            }
            currentKey = ""
            do throws(Failure) {
                if c == UInt8(ascii: "[") { try parseHeader() } else { try parseKeyValue() }
                try endOfLine()
            } catch {
                record(error)
                resync()
            }
        }
    }

    mutating func record(_ f: Failure) {
        let key = currentKey.isEmpty ? sectionDisplay() : currentKey
        diagnostics.append(ConfigDiagnostic(line: f.line, column: f.column, key: key, message: f.message))
    }

    /// The current section as messages name it: arrays of tables with their 1-based index (`rule[2]`).
    func sectionDisplay() -> String {
        var parts: [String] = []
        var table: TOMLTable? = root
        for name in section {
            switch table?[name]?.value {
            case .table(let t)?:
                parts.append(name)
                table = t
            case .tableArray(let a)?:
                parts.append("\(name)[\(a.count)]")
                table = a.last
            default:
                parts.append(name)
                table = nil
            }
        }
        return parts.joined(separator: ".")
    }

    /// Spaces and tabs.
    mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { index += 1 }
    }

    mutating func newline() {
        index += 1
        line += 1
        lineStart = index
    }

    /// Optional comment, then a newline or the end of the file.
    mutating func endOfLine() throws(Failure) {
        skipSpaces()
        if peek == UInt8(ascii: "#") { try skipComment() }
        if peek == UInt8(ascii: "\r") {
            index += 1
            guard peek == UInt8(ascii: "\n") else { throw fail("a carriage return must be followed by a newline") }
        }
        guard let c = peek else { return }
        guard c == UInt8(ascii: "\n") else {
            throw fail("unexpected \(Self.describe(c)) after the value; put one key = value per line")
        }
        newline()
    }

    mutating func skipComment() throws(Failure) {
        while let c = peek, c != UInt8(ascii: "\n") {
            if c < 0x20 && c != UInt8(ascii: "\t") && c != UInt8(ascii: "\r") {
                throw fail("control character in a comment")
            }
            index += 1
        }
    }

    /// After an error: go to the next line that looks like a key or a table header.
    mutating func resync() {
        while true {
            while let c = peek, c != UInt8(ascii: "\n") { index += 1 }
            guard !atEnd else { return }
            newline()
            if lineLooksLikeAStatement() { return }
        }
    }

    func lineLooksLikeAStatement(from start: Int? = nil) -> Bool {
        var i = start ?? index
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
        guard i < bytes.count else { return true }
        let c = bytes[i]
        if c == UInt8(ascii: "\n") || c == UInt8(ascii: "#") || c == UInt8(ascii: "\r") { return true }
        if c == UInt8(ascii: "[") {
            var j = i + 1
            while j < bytes.count, bytes[j] == UInt8(ascii: "[") || bytes[j] == UInt8(ascii: " ") { j += 1 }
            return j < bytes.count && (Self.isBareKey(bytes[j]) && !(bytes[j] >= 0x30 && bytes[j] <= 0x39)
                                        || bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'"))
        }
        guard Self.isBareKey(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") else { return false }
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") {
            switch bytes[i] {
            case UInt8(ascii: "="): return true
            case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"): return false
            default: i += 1
            }
        }
        return false
    }

    static func isBareKey(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: "-")
    }

    static func describe(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x" + String(c, radix: 16, uppercase: true)
    }
}
