import Foundation

/// The filter of `GET /v1/jobs` (as query parameters `state`, `model`, `since`, `limit`).
public struct JobQuery: Codable, Sendable, Equatable {
    /// Only jobs in this state.
    public var state: String?
    /// Only jobs routed to this model.
    public var model: String?
    /// Only jobs created at or after this time.
    public var since: Date?
    /// At most this many jobs, newest first (1...maxLimit; the daemon applies `defaultLimit` when absent).
    public var limit: Int?

    public static let defaultLimit = 50
    public static let maxLimit = 10_000

    public init(state: String? = nil, model: String? = nil, since: Date? = nil, limit: Int? = nil) {
        self.state = state
        self.model = model
        self.since = since
        self.limit = limit
    }

    /// The query parameters, in a fixed order.
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let state { items.append(("state", state)) }
        if let model { items.append(("model", model)) }
        if let since { items.append(("since", ISO8601.format(since))) }
        if let limit { items.append(("limit", String(limit))) }
        return items
    }

    /// Reads the query parameters; an unknown parameter or a bad value is a `bad-request`.
    public init(queryItems: [(String, String)]) throws(ControlError) {
        self.init()
        for (name, value) in queryItems {
            switch name {
            case "state":
                guard JobStateName.all.contains(value) else {
                    throw ControlError(.badRequest, "unknown state \"\(value)\"; use one of \(JobStateName.all.joined(separator: ", "))")
                }
                state = value
            case "model":
                guard !value.isEmpty, value.count <= 200 else { throw ControlError(.badRequest, "bad model name") }
                model = value
            case "since":
                guard let d = ISO8601.parse(value) else {
                    throw ControlError(.badRequest, "since must be an ISO 8601 time, not \"\(value)\"")
                }
                since = d
            case "limit":
                guard let n = Int(value), (1...Self.maxLimit).contains(n) else {
                    throw ControlError(.badRequest, "limit must be a whole number from 1 to \(Self.maxLimit)")
                }
                limit = n
            default:
                throw ControlError(.badRequest, "unknown query parameter \"\(name)\"; use state, model, since, limit")
            }
        }
    }
}

/// `POST /v1/jobs`: queue a folder as if it had been dropped into a watch folder.
public struct SubmitRequest: Codable, Sendable, Equatable {
    /// An absolute path inside one of the configured roots (the daemon refuses others).
    public var path: String
    /// Run this model instead of the routing rules' choice.
    public var model: String?
    public init(path: String, model: String? = nil) {
        self.path = path
        self.model = model
    }
}

/// The answer to a submit: one job per series found in the folder.
public struct SubmitResult: Codable, Sendable, Equatable {
    public var jobs: [JobInfo]
    /// Files taken in.
    public var files: Int
    public init(jobs: [JobInfo], files: Int) {
        self.jobs = jobs
        self.files = files
    }
}

/// `POST /v1/rules/test`: which rule would match each series under a folder.
public struct RulesTestRequest: Codable, Sendable, Equatable {
    public var path: String
    public init(path: String) { self.path = path }
}
