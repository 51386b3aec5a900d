/// One routing rule: when every condition holds, the series goes to `models` (one job per model).
///
/// Rules are data, read from the configuration; nothing in them is evaluated as code. Rules are tried in
/// file order and the FIRST rule whose conditions all hold wins; later rules are not looked at. A rule without
/// conditions matches every series (a catch-all, put it last). A series no rule matches is "unrouted".
public struct RoutingRule: Sendable, Equatable {
    public var name: String
    /// Model ids (bundle folder names under `paths.models`), at least one.
    public var models: [String]
    /// All must hold (AND).
    public var conditions: [RoutingCondition]
    /// The line of the rule's `[[rule]]` header (0 when built in code).
    public var line: Int

    public init(name: String, models: [String], conditions: [RoutingCondition], line: Int = 0) {
        self.name = name
        self.models = models
        self.conditions = conditions
        self.line = line
    }
}

/// A test on one field of a series: a DICOM keyword (`Modality`, `SeriesDescription`, `BodyPartExamined`, ...,
/// see `SeriesFacts.dicomFields`) or a derived field (`plane`, `slices`, `sliceSpacing`).
public struct RoutingCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Test: Sendable, Equatable {
        /// The value equals the text (or, for a number, equals it numerically).
        case equals(RoutingValue)
        /// The value equals one of these.
        case oneOf([RoutingValue])
        /// The regular expression (NSRegularExpression syntax) matches somewhere in the value; anchor it with
        /// `^...$` to match the whole value.
        case regex(String)
        /// The value is a number within min...max (inclusive; either bound may be absent).
        case range(min: Double?, max: Double?)
        /// The field is present and non-empty (true), or absent or empty (false).
        case exists(Bool)
    }

    public var field: String
    public var test: Test
    /// Compare text case-insensitively (equals, in, regex).
    public var ignoreCase: Bool
    /// The line the condition is written on (0 when built in code).
    public var line: Int

    public init(field: String, _ test: Test, ignoreCase: Bool = false, line: Int = 0) {
        self.field = field
        self.test = test
        self.ignoreCase = ignoreCase
        self.line = line
    }

    public var description: String {
        let ci = ignoreCase ? " (ignoring case)" : ""
        switch test {
        case .equals(let v): return "\(field) equals \(v)\(ci)"
        case .oneOf(let vs): return "\(field) in [\(vs.map(\.description).joined(separator: ", "))]\(ci)"
        case .regex(let p): return "\(field) matches /\(p)/\(ci)"
        case .range(let lo, let hi):
            return "\(field) in range \(lo.map { RoutingValue.number($0).description } ?? "-inf")...\(hi.map { RoutingValue.number($0).description } ?? "+inf")"
        case .exists(let e): return e ? "\(field) exists" : "\(field) is absent"
        }
    }
}

/// A value to compare with: text, or a number (compared numerically).
public enum RoutingValue: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case number(Double)

    public var description: String {
        switch self {
        case .text(let s): "\"\(s)\""
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        }
    }
}
