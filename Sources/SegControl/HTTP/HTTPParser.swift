import Foundation

/// An incremental, strict HTTP/1.1 message framer: feed it bytes as they arrive, take complete messages out.
///
/// Strict on purpose: CRLF line ends, token header names, no obs-fold, `Content-Length` only (a
/// `Transfer-Encoding` is refused), and the limits of `ControlLimits` enforced before anything is buffered past
/// them. After it throws, the stream cannot be resynchronised: answer the error and close the connection.
/// Pipelined messages are returned one by one.
public struct HTTPParser: Sendable {
    public enum Kind: Sendable { case request, response }

    public let kind: Kind
    public let limits: ControlLimits
    private var buffer: [UInt8] = []
    /// Where the search for the end of the head resumes (avoids rescanning a slowly arriving head).
    private var scanFrom = 0
    /// The parsed head whose body is still arriving, with its Content-Length and the head's size.
    private var pending: (head: HTTPMessage, length: Int, headSize: Int)?

    public init(kind: Kind, limits: ControlLimits) {
        self.kind = kind
        self.limits = limits
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// True when bytes of an incomplete message are buffered.
    public var hasPartialMessage: Bool { !buffer.isEmpty || pending != nil }

    /// The head of a message whose body has not fully arrived (to answer `Expect: 100-continue`).
    public var pendingHead: HTTPMessage? { pending?.head }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func next() throws(ControlError) -> HTTPMessage? {
        if pending == nil {
            guard let end = findHeadEnd() else {
                if buffer.count > limits.maxHeaderBytes {
                    throw ControlError(.headersTooLarge, "the request line and headers exceed \(limits.maxHeaderBytes) bytes")
                }
                return nil
            }
            guard end <= limits.maxHeaderBytes else {
                throw ControlError(.headersTooLarge, "the request line and headers exceed \(limits.maxHeaderBytes) bytes")
            }
            let head = try parseHead(buffer[0..<(end - 4)])
            pending = (head, try bodyLength(head.headers), end)
        }
        guard let (head, length, headSize) = pending, buffer.count >= headSize + length else { return nil }
        var message = head
        message.body = Data(buffer[headSize..<(headSize + length)])
        buffer.removeFirst(headSize + length)
        scanFrom = 0
        pending = nil
        return message
    }

    /// The next request (for a server).
    public mutating func nextRequest() throws(ControlError) -> HTTPRequest? {
        try next().map(HTTPRequest.init)
    }

    /// The next response (for a client).
    public mutating func nextResponse() throws(ControlError) -> HTTPResponse? {
        guard let m = try next() else { return nil }
        return try HTTPResponse(m)
    }

    // MARK: - Head

    private mutating func findHeadEnd() -> Int? {
        let n = buffer.count
        var i = max(0, scanFrom - 3)
        while i + 3 < n {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i + 4 }
            i += 1
        }
        scanFrom = n
        return nil
    }

    private func parseHead(_ bytes: ArraySlice<UInt8>) throws(ControlError) -> HTTPMessage {
        let lines = Self.splitLines(bytes)
        guard let first = lines.first, !first.isEmpty else { throw bad("empty request line") }
        let startLine = try parseStartLine(first)
        guard lines.count - 1 <= limits.maxHeaderCount else {
            throw ControlError(.headersTooLarge, "more than \(limits.maxHeaderCount) header fields")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            headers.add(contentsOf: try Self.parseField(line))
        }
        return HTTPMessage(startLine: startLine, headers: headers, body: Data())
    }

    private func parseStartLine(_ line: ArraySlice<UInt8>) throws(ControlError) -> [String] {
        guard line.allSatisfy({ $0 > 0x20 && $0 < 0x7F || $0 == 0x20 }) else {
            throw bad("the start line has control or non-ASCII characters")
        }
        let text = String(decoding: line, as: UTF8.self)
        switch kind {
        case .request:
            let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { throw bad("the request line must be METHOD TARGET HTTP/1.1") }
            guard !parts[0].isEmpty, parts[0].utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
                throw bad("bad method \"\(parts[0].prefix(20))\"")
            }
            guard parts[1].hasPrefix("/") else { throw bad("the target must be a path starting with /") }
            guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else { throw bad("only HTTP/1.1 is spoken here") }
            return parts
        case .response:
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else {
                throw ControlError(.protocolError, "the answer is not HTTP/1.1")
            }
            return [parts[0], parts[1], parts.count > 2 ? parts[2] : ""]
        }
    }

    private static func splitLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 13, i + 1 < bytes.endIndex, bytes[i + 1] == 10 {
                lines.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        lines.append(bytes[start..<bytes.endIndex])
        return lines
    }

    private static let tokenExtras = Set("!#$%&'*+-.^_`|~".utf8)

    private static func parseField(_ line: ArraySlice<UInt8>) throws(ControlError) -> (String, String) {
        guard let colon = line.firstIndex(of: 0x3A) else { throw ControlError(.badRequest, "a header line without a colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy({ isAlnum($0) || tokenExtras.contains($0) }) else {
            throw ControlError(.badRequest, "bad header name (folded lines and spaces before the colon are refused)")
        }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
        while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
            throw ControlError(.badRequest, "a header value with control characters")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
    }

    private func bodyLength(_ headers: HTTPHeaders) throws(ControlError) -> Int {
        if headers["Transfer-Encoding"] != nil {
            throw ControlError(.lengthRequired, "chunked or encoded bodies are not accepted; send Content-Length")
        }
        let values = Set(headers.values("Content-Length").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) })
        guard let value = values.first else { return 0 }
        guard values.count == 1, !value.isEmpty, value.count <= 18, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let n = Int(value)
        else { throw bad("bad Content-Length") }
        guard n <= limits.maxBodyBytes else {
            throw ControlError(.payloadTooLarge, "the body of \(n) bytes exceeds the limit of \(limits.maxBodyBytes) bytes")
        }
        return n
    }

    private func bad(_ message: String) -> ControlError {
        ControlError(kind == .request ? .badRequest : .protocolError, message)
    }
}

extension HTTPHeaders {
    mutating func add(contentsOf field: (String, String)) { add(field.0, field.1) }
}
