import Foundation

/// Why a series went where it went: the rule that matched, or for each rule the first condition that failed.
/// `segctl rules test` prints `lines`.
public struct RoutingDecision: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case routed(rule: String, models: [String])
        case unrouted
    }

    /// A condition that did not hold, with the value seen.
    public struct Failure: Sendable, Equatable {
        public var condition: RoutingCondition
        /// The series' value of the field (nil: absent).
        public var actual: String?
        public var reason: String
    }

    /// One rule tried, in order; rules after the matching one are not tried.
    public struct RuleResult: Sendable, Equatable {
        public var rule: String
        public var line: Int
        /// nil: every condition held (the rule matched).
        public var failure: Failure?
        public var matched: Bool { failure == nil }
    }

    public var outcome: Outcome
    public var rules: [RuleResult]

    /// Models to run (empty when unrouted).
    public var models: [String] {
        if case .routed(_, let models) = outcome { return models }
        return []
    }

    /// A human explanation, one line per rule tried, then the outcome.
    public var lines: [String] {
        var out = rules.map { r -> String in
            let at = r.line > 0 ? " (line \(r.line))" : ""
            guard let f = r.failure else { return "rule \"\(r.rule)\"\(at): matched" }
            return "rule \"\(r.rule)\"\(at): no: \(f.condition) failed: \(f.reason)"
        }
        switch outcome {
        case .routed(let rule, let models): out.append("-> rule \"\(rule)\" routes to \(models.joined(separator: ", "))")
        case .unrouted: out.append(rules.isEmpty ? "-> unrouted (no rules configured)" : "-> unrouted (no rule matched)")
        }
        return out
    }
}

/// Evaluates routing rules on series facts. Regular expressions are compiled once, when the router is made.
public struct Router: Sendable {
    public let rules: [RoutingRule]
    private let regexes: [String: NSRegularExpression]

    /// Fails when a regular expression does not compile (the configuration loader reports this earlier, with
    /// the line).
    public init(rules: [RoutingRule]) throws(DaemonError) {
        var regexes: [String: NSRegularExpression] = [:]
        for rule in rules {
            for c in rule.conditions {
                guard case .regex(let pattern) = c.test else { continue }
                let key = Self.regexKey(pattern, c.ignoreCase)
                if regexes[key] != nil { continue }
                do {
                    regexes[key] = try NSRegularExpression(pattern: pattern, options: c.ignoreCase ? [.caseInsensitive] : [])
                } catch {
                    throw DaemonError(.invalidConfig, "rule \"\(rule.name)\": invalid regular expression /\(pattern)/")
                }
            }
        }
        self.rules = rules
        self.regexes = regexes
    }

    static func regexKey(_ pattern: String, _ ignoreCase: Bool) -> String { (ignoreCase ? "i:" : "c:") + pattern }

    /// First matching rule wins.
    public func route(_ facts: SeriesFacts) -> RoutingDecision {
        var results: [RoutingDecision.RuleResult] = []
        for rule in rules {
            let failure = rule.conditions.lazy.compactMap { evaluate($0, facts) }.first
            results.append(.init(rule: rule.name, line: rule.line, failure: failure))
            if failure == nil {
                return RoutingDecision(outcome: .routed(rule: rule.name, models: rule.models), rules: results)
            }
        }
        return RoutingDecision(outcome: .unrouted, rules: results)
    }

    /// nil when the condition holds, else why not.
    func evaluate(_ c: RoutingCondition, _ facts: SeriesFacts) -> RoutingDecision.Failure? {
        let raw = facts[c.field]
        let value = raw?.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> RoutingDecision.Failure { .init(condition: c, actual: raw, reason: reason) }
        if case .exists(let wanted) = c.test {
            let present = !(value ?? "").isEmpty
            if present == wanted { return nil }
            return fail(wanted ? "\(c.field) is absent" : "\(c.field) is present (\"\(value ?? "")\")")
        }
        guard let value, !value.isEmpty else { return fail("\(c.field) is absent") }
        switch c.test {
        case .equals(let expected):
            return matches(value, expected, c.ignoreCase) ? nil : fail("\(c.field) is \"\(value)\"")
        case .oneOf(let choices):
            return choices.contains { matches(value, $0, c.ignoreCase) } ? nil : fail("\(c.field) is \"\(value)\"")
        case .regex(let pattern):
            // Rules given to init are compiled there; a condition evaluated on its own is compiled here.
            guard let re = regexes[Self.regexKey(pattern, c.ignoreCase)]
                ?? (try? NSRegularExpression(pattern: pattern, options: c.ignoreCase ? [.caseInsensitive] : []))
            else { return fail("the regular expression /\(pattern)/ does not compile") }
            let range = NSRange(value.startIndex..<value.endIndex, in: value)
            return re.firstMatch(in: value, range: range) != nil ? nil : fail("\(c.field) is \"\(value)\"")
        case .range(let lo, let hi):
            guard let x = Double(value), x.isFinite else { return fail("\(c.field) is \"\(value)\", not a number") }
            if let lo, x < lo { return fail("\(c.field) is \(value), below \(RoutingValue.number(lo))") }
            if let hi, x > hi { return fail("\(c.field) is \(value), above \(RoutingValue.number(hi))") }
            return nil
        case .exists:
            return nil
        }
    }

    func matches(_ value: String, _ expected: RoutingValue, _ ignoreCase: Bool) -> Bool {
        switch expected {
        case .number(let n): return Double(value).map { $0 == n } ?? false
        case .text(let s): return ignoreCase ? value.caseInsensitiveCompare(s) == .orderedSame : value == s
        }
    }
}
