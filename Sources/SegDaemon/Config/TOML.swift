/// A parsed TOML document (the subset segd.conf uses): tables, arrays of tables, dotted keys, strings (basic
/// and literal, one line), integers (decimal, 0x, 0o, 0b, `_` separators), floats, booleans, arrays and
/// inline tables, `#` comments. Not supported (reported as errors): multi-line strings, dates and times.
///
/// Every value remembers the line and column it came from, so that validation errors can point at it.
public struct TOMLNode: Sendable {
    public indirect enum Value: Sendable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case array([TOMLNode])
        case table(TOMLTable)
        /// `[[name]]` sections, in file order.
        case tableArray([TOMLTable])
    }

    public var value: Value
    public var line: Int
    public var column: Int

    /// The TOML type name, for messages ("expected an integer, found a string").
    public var typeName: String {
        switch value {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .tableArray: "an array of tables"
        }
    }
}

/// A TOML table: keys in file order, each with its value and position.
public struct TOMLTable: Sendable {
    /// Keys in the order they were first written.
    public private(set) var keys: [String] = []
    private var nodes: [String: TOMLNode] = [:]
    /// Where the table starts (its header, its first dotted key, or the `{` of an inline table).
    public var line: Int
    public var column: Int
    /// Defined by a `[header]` of its own (a second header for it is an error).
    var explicitlyDefined = false
    /// An inline table `{ ... }`, closed for additions.
    var isInline = false

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public subscript(key: String) -> TOMLNode? { nodes[key] }

    mutating func set(_ key: String, _ node: TOMLNode) {
        if nodes.updateValue(node, forKey: key) == nil { keys.append(key) }
    }
}
