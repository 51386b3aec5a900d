import Foundation

/// Header fields in arrival order, looked up case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        for (n, v) in fields { add(n, v) }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field of this name.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { $0.name.lowercased() == name.lowercased() }
        add(name, value)
    }

    /// The first value of a field.
    public subscript(_ name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One framed HTTP/1.1 message as the parser delivers it.
public struct HTTPMessage: Sendable, Equatable {
    /// `[method, target, version]` of a request or `[version, status, reason]` of a response.
    public var startLine: [String]
    public var headers: HTTPHeaders
    public var body: Data
}

/// A request to the control socket.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// Origin-form target: the path plus an optional `?query`.
    public var target: String
    public var version: String
    public var headers: HTTPHeaders
    public var body: Data

    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders = HTTPHeaders(),
                body: Data = Data()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    init(_ m: HTTPMessage) {
        self.init(method: m.startLine[0], target: m.startLine[1], version: m.startLine[2], headers: m.headers,
                  body: m.body)
    }

    /// The target without its query.
    public var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    /// The decoded query parameters, in order (`+` and `%20` both decode to a space).
    public func queryItems() throws(ControlError) -> [(String, String)] {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty else { return [] }
        var items: [(String, String)] = []
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawValue = kv.count == 2 ? String(kv[1]) : ""
            guard let name = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                  let value = rawValue.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { throw ControlError(.badRequest, "bad percent-encoding in the query") }
            items.append((name, value))
        }
        return items
    }

    /// HTTP/1.1 keeps the connection open unless the client says `Connection: close`; 1.0 closes unless
    /// `keep-alive`.
    public var keepAlive: Bool {
        let c = headers["Connection"]?.lowercased() ?? ""
        return version == "HTTP/1.1" ? !c.contains("close") : c.contains("keep-alive")
    }

    /// The request's bytes, with `Content-Length` set.
    public func serialized() -> Data {
        var h = headers
        if !body.isEmpty || method == "POST" { h.set("Content-Length", String(body.count)) }
        return HTTPWire.serialize(startLine: "\(method) \(target) \(version)", headers: h, body: body)
    }

    /// A request built for a target: the path plus encoded query items.
    public static func target(_ path: String, query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        let q = query.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }
        return path + "?" + q.joined(separator: "&")
    }
}

/// A response from the control socket.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(_ m: HTTPMessage) throws(ControlError) {
        guard let status = Int(m.startLine[1]), (100...599).contains(status) else {
            throw ControlError(.protocolError, "bad status line in the answer")
        }
        self.init(status: status, headers: m.headers, body: m.body)
    }

    /// A JSON response.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPResponse {
        do {
            var body = try ControlJSON.encode(value, pretty: true)
            body.append(0x0A)
            return HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
        } catch {
            return .error(ControlError(.internal, "could not encode the answer"))
        }
    }

    /// An error response: the status of the code and a `ControlErrorBody`.
    public static func error(_ error: ControlError) -> HTTPResponse {
        let body = (try? ControlJSON.encode(error.body, pretty: true)) ?? Data()
        return HTTPResponse(status: error.httpStatus, headers: HTTPHeaders([("Content-Type", "application/json")]),
                            body: body + Data([0x0A]))
    }

    /// The response's bytes, with `Content-Length` set.
    public func serialized() -> Data {
        var h = headers
        h.set("Content-Length", String(body.count))
        return HTTPWire.serialize(startLine: "HTTP/1.1 \(status) \(HTTPWire.reason(status))", headers: h, body: body)
    }
}

enum HTTPWire {
    static func serialize(startLine: String, headers: HTTPHeaders, body: Data) -> Data {
        var s = startLine + "\r\n"
        for (n, v) in headers { s += "\(n): \(v)\r\n" }
        s += "\r\n"
        var d = Data(s.utf8)
        d.append(body)
        return d
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: status < 400 ? "OK" : "Error"
        }
    }
}
