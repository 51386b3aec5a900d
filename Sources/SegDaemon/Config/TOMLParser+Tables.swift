extension TOMLParser {
    /// `[a.b]` or `[[a.b]]`.
    mutating func parseHeader() throws(Failure) {
        let (line, column) = (self.line, self.column)
        index += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        let path = try parseKeyPath()
        currentKey = path.joined(separator: ".")
        skipSpaces()
        for _ in 0..<(isArray ? 2 : 1) {
            guard peek == UInt8(ascii: "]") else {
                throw fail(isArray ? "expected ']]' to close the array-of-tables header" : "expected ']' to close the table header")
            }
            index += 1
        }
        let name = path.last!
        try Self.modify(&root, path.dropLast(), line: line, column: column) { (table: inout TOMLTable) throws(Failure) in
            let new = TOMLTable(line: line, column: column)
            switch table[name]?.value {
            case nil:
                var t = new
                t.explicitlyDefined = true
                table.set(name, TOMLNode(value: isArray ? .tableArray([t]) : .table(t), line: line, column: column))
            case .tableArray(var array)? where isArray:
                array.append(new)
                table.set(name, TOMLNode(value: .tableArray(array), line: table[name]!.line, column: table[name]!.column))
            case .table(var t)? where !isArray && !t.explicitlyDefined && !t.isInline:
                t.explicitlyDefined = true
                t.line = line
                t.column = column
                table.set(name, TOMLNode(value: .table(t), line: line, column: column))
            case _?:
                throw Failure(line: line, column: column,
                              message: "'\(path.joined(separator: "."))' is already defined on line \(table[name]!.line)")
            }
        }
        section = path
    }

    /// `key = value` (the key may be dotted) in the current section.
    mutating func parseKeyValue() throws(Failure) {
        let (line, column) = (self.line, self.column)
        let path = try parseKeyPath()
        let prefix = sectionDisplay()
        currentKey = (prefix.isEmpty ? "" : prefix + ".") + path.joined(separator: ".")
        skipSpaces()
        guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key") }
        index += 1
        skipSpaces()
        let node = try parseValue()
        try Self.modify(&root, ArraySlice(section), line: line, column: column) { (table: inout TOMLTable) throws(Failure) in
            try Self.insert(node, at: ArraySlice(path), into: &table, line: line, column: column)
        }
    }

    /// Sets a (dotted) key in a table, creating intermediate tables; a key set twice is an error.
    static func insert(_ node: TOMLNode, at path: ArraySlice<String>, into table: inout TOMLTable, line: Int,
                       column: Int) throws(Failure) {
        let name = path.first!
        if path.count == 1 {
            if let existing = table[name] {
                throw Failure(line: line, column: column, message: "duplicate key '\(name)' (first set on line \(existing.line))")
            }
            table.set(name, node)
            return
        }
        var sub: TOMLTable
        switch table[name]?.value {
        case nil: sub = TOMLTable(line: line, column: column)
        case .table(let t)? where !t.isInline && !t.explicitlyDefined: sub = t
        case _?: throw Failure(line: line, column: column, message: "'\(name)' is already defined on line \(table[name]!.line)")
        }
        try insert(node, at: path.dropFirst(), into: &sub, line: line, column: column)
        table.set(name, TOMLNode(value: .table(sub), line: sub.line, column: sub.column))
    }

    /// Runs `body` on the table at `path`, creating implicit tables; an array of tables stands for its last
    /// element (as TOML specifies for headers below `[[name]]`).
    static func modify(_ table: inout TOMLTable, _ path: ArraySlice<String>, line: Int, column: Int,
                       _ body: (inout TOMLTable) throws(Failure) -> Void) throws(Failure) {
        guard let name = path.first else {
            try body(&table)
            return
        }
        let rest = path.dropFirst()
        switch table[name]?.value {
        case nil:
            var t = TOMLTable(line: line, column: column)
            try modify(&t, rest, line: line, column: column, body)
            table.set(name, TOMLNode(value: .table(t), line: line, column: column))
        case .table(var t)?:
            guard !t.isInline else {
                throw Failure(line: line, column: column, message: "'\(name)' is an inline table and cannot be extended")
            }
            try modify(&t, rest, line: line, column: column, body)
            table.set(name, TOMLNode(value: .table(t), line: table[name]!.line, column: table[name]!.column))
        case .tableArray(var array)?:
            try modify(&array[array.count - 1], rest, line: line, column: column, body)
            table.set(name, TOMLNode(value: .tableArray(array), line: table[name]!.line, column: table[name]!.column))
        case _?:
            let other = table[name]!
            throw Failure(line: line, column: column, message: "'\(name)' holds \(other.typeName) (line \(other.line)), not a table")
        }
    }

    /// `a`, `a.b`, `"quoted key".c`.
    mutating func parseKeyPath() throws(Failure) -> [String] {
        var path: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { throw fail("expected a key") }
            if c == UInt8(ascii: "\"") {
                path.append(try parseBasicString())
            } else if c == UInt8(ascii: "'") {
                path.append(try parseLiteralString())
            } else if Self.isBareKey(c) {
                let start = index
                while let d = peek, Self.isBareKey(d) { index += 1 }
                path.append(String(decoding: bytes[start..<index], as: UTF8.self))
            } else {
                throw fail("expected a key, found \(Self.describe(c))")
            }
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { return path }
            index += 1
        }
    }
}
