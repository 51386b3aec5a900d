extension TOMLParser {
    mutating func parseValue() throws(Failure) -> TOMLNode {
        let (line, column) = (self.line, self.column)
        guard let c = peek, c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r"), c != UInt8(ascii: "#") else {
            throw fail("expected a value")
        }
        let value: TOMLNode.Value
        switch c {
        case UInt8(ascii: "\""): value = .string(try parseBasicString())
        case UInt8(ascii: "'"): value = .string(try parseLiteralString())
        case UInt8(ascii: "["): value = .array(try parseArray())
        case UInt8(ascii: "{"): value = .table(try parseInlineTable())
        default: value = try parseScalar()
        }
        return TOMLNode(value: value, line: line, column: column)
    }

    /// `"..."` with the TOML escapes.
    mutating func parseBasicString() throws(Failure) -> String {
        let startColumn = column
        if bytes[index...].starts(with: Array("\"\"\"".utf8)) { throw fail("multi-line strings are not supported") }
        index += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek, c != UInt8(ascii: "\n") else { throw Failure(line: line, column: startColumn, message: "unterminated string (strings end on their line)") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw fail("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = e == UInt8(ascii: "u") ? 4 : 8
                    guard index + count <= bytes.count,
                          let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code)
                    else { throw fail("invalid \\\(Character(Unicode.Scalar(e))) escape: give \(count) hex digits of a Unicode scalar") }
                    index += count
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(e))); use \\\\ for a backslash, or a 'literal string'")
                }
            default:
                if c < 0x20 && c != 0x09 || c == 0x7F { throw fail("control character in a string; use an escape") }
                out.append(c)
            }
        }
    }

    /// `'...'`: no escapes (handy for regular expressions and Windows-style paths).
    mutating func parseLiteralString() throws(Failure) -> String {
        let startColumn = column
        if bytes[index...].starts(with: Array("'''".utf8)) { throw fail("multi-line strings are not supported") }
        index += 1
        let start = index
        while true {
            guard let c = peek, c != UInt8(ascii: "\n") else { throw Failure(line: line, column: startColumn, message: "unterminated string (strings end on their line)") }
            if c == UInt8(ascii: "'") { break }
            if c < 0x20 && c != 0x09 || c == 0x7F { throw fail("control character in a string") }
            index += 1
        }
        defer { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `[v, v, ...]`, over several lines if needed, with comments and a trailing comma allowed.
    mutating func parseArray() throws(Failure) -> [TOMLNode] {
        let startLine = line
        index += 1
        var items: [TOMLNode] = []
        while true {
            try skipBlanksAndComments()
            if peek == UInt8(ascii: "]") {
                index += 1
                return items
            }
            do {
                items.append(try parseValue())
            } catch where error.line > startLine && lineLooksLikeAStatement(from: lineStart) {
                throw Failure(line: error.line, column: error.column,
                              message: error.message + " (inside the array opened on line \(startLine); is a ']' missing?)")
            }
            try skipBlanksAndComments()
            switch peek {
            case UInt8(ascii: ",")?: index += 1
            case UInt8(ascii: "]")?: index += 1; return items
            case let c?:
                let hint = line > startLine && lineLooksLikeAStatement(from: lineStart) ? " (inside the array opened on line \(startLine); is a ']' missing?)" : ""
                throw fail("expected ',' or ']' in the array, found \(Self.describe(c))" + hint)
            case nil: throw fail("unterminated array: expected ']'")
            }
        }
    }

    mutating func skipBlanksAndComments() throws(Failure) {
        while let c = peek {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "\n"): newline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    /// `{ k = v, k2 = v2 }` on one line.
    mutating func parseInlineTable() throws(Failure) -> TOMLTable {
        var table = TOMLTable(line: line, column: column)
        index += 1
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            index += 1
            table.isInline = true
            return table
        }
        while true {
            let (line, column) = (self.line, self.column)
            let path = try parseKeyPath()
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key in the inline table") }
            index += 1
            skipSpaces()
            let node = try parseValue()
            try Self.insert(node, at: ArraySlice(path), into: &table, line: line, column: column)
            skipSpaces()
            switch peek {
            case UInt8(ascii: ",")?:
                index += 1
                skipSpaces()
            case UInt8(ascii: "}")?:
                index += 1
                table.isInline = true
                return table
            case UInt8(ascii: "\n")?, nil: throw fail("an inline table must close with '}' on the same line")
            case let c?: throw fail("expected ',' or '}' in the inline table, found \(Self.describe(c))")
            }
        }
    }

    /// Booleans, integers and floats.
    mutating func parseScalar() throws(Failure) -> TOMLNode.Value {
        let start = index
        let column = self.column
        while let c = peek, !Self.endsScalar(c) { index += 1 }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        func bad(_ message: String) -> Failure { Failure(line: line, column: column, message: message) }
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        case "": throw bad("expected a value")
        default: break
        }
        if token.contains(":") || (token.count >= 8 && token.dropFirst(4).first == "-") {
            throw bad("dates and times are not supported; write durations as seconds")
        }
        guard let first = token.first, first.isNumber || first == "+" || first == "-" else {
            throw bad("invalid value '\(token)'; quote strings: \"\(token)\"")
        }
        let (sign, unsigned) = first == "-" || first == "+" ? (first == "-" ? -1 : 1, token.dropFirst()) : (1, token[...])
        let prefixes: [(String, Int)] = [("0x", 16), ("0o", 8), ("0b", 2)]
        for (prefix, radix) in prefixes where unsigned.hasPrefix(prefix) {
            guard sign == 1, first != "+" && first != "-" else { throw bad("a \(prefix) integer cannot have a sign") }
            guard let digits = Self.stripUnderscores(unsigned.dropFirst(2)), let v = Int64(digits, radix: radix) else {
                throw bad("invalid integer '\(token)'")
            }
            return .integer(v)
        }
        guard let digits = Self.stripUnderscores(unsigned) else { throw bad("misplaced '_' in '\(token)'") }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }),
                  parts.count == 1 || parts[1].first!.isNumber, let v = Double(digits), v.isFinite
            else { throw bad("invalid number '\(token)'") }
            return .float(Double(sign) * v)
        }
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { throw bad("invalid value '\(token)'; quote strings") }
        guard digits == "0" || !digits.hasPrefix("0") else { throw bad("leading zeros are not allowed in '\(token)' (octal is 0o...)") }
        guard let v = Int64(digits) else { throw bad("integer '\(token)' is out of range") }
        return .integer(Int64(sign) * v)
    }

    static func endsScalar(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
            || c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "#")
    }

    /// Removes `_` separators, which must sit between two digits.
    static func stripUnderscores(_ s: Substring) -> String? {
        let chars = Array(s)
        for (i, c) in chars.enumerated() where c == "_" {
            guard i > 0, i < chars.count - 1, chars[i - 1].isHexDigit, chars[i + 1].isHexDigit else { return nil }
        }
        return String(chars.filter { $0 != "_" })
    }
}
