import Foundation

/// Constants of the control protocol spoken over segd's Unix socket (see `docs/control-protocol.md`).
///
/// The transport is HTTP/1.1 with `Content-Length` framing only. Paths start with `/v1`; the protocol version
/// travels in the `Segd-Protocol` header of every request and response, and a mismatch is refused with an error
/// naming both versions.
public enum ControlProtocol {
    /// The protocol version of this build. Bump it on any incompatible change to a path or a JSON shape.
    public static let version = 1
    /// The header carrying the protocol version.
    public static let versionHeader = "Segd-Protocol"
    /// The socket path when neither `--socket` nor `SEGD_SOCKET` is given.
    public static let defaultSocketPath = "/run/segd/control.sock"
    /// The environment variable naming the socket for segctl.
    public static let socketEnvironmentVariable = "SEGD_SOCKET"
    /// The `Host` header segctl sends (any value is accepted).
    public static let host = "segd"
}

/// Size limits of one HTTP message. Anything larger is refused with an error response.
public struct ControlLimits: Sendable, Equatable {
    /// Request line plus headers, including the blank line.
    public var maxHeaderBytes: Int
    /// Number of header fields.
    public var maxHeaderCount: Int
    /// Body (`Content-Length`).
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 64 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }

    /// What the daemon accepts from a client.
    public static let request = ControlLimits()
    /// What segctl accepts from the daemon (a job list or a preview PNG can be larger than a request).
    public static let response = ControlLimits(maxBodyBytes: 64 * 1024 * 1024)
}

/// The JSON encoder and decoder of the protocol: ISO 8601 dates (UTC), sorted keys for stable output.
public enum ControlJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601.format(date))
        }
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = ISO8601.parse(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 date: \(s)")
            }
            return date
        }
        return d
    }

    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    /// Decodes a body, turning any failure into a `bad-request`/`protocol` error that names the type.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, code: ControlError.Code = .badRequest)
        throws(ControlError) -> T
    {
        do {
            return try decoder().decode(type, from: data)
        } catch {
            throw ControlError(code, "the JSON body is not a valid \(T.self): \(ControlJSON.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            "wrong type at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\""
        case DecodingError.dataCorrupted(let ctx):
            ctx.codingPath.isEmpty ? "malformed JSON"
                : "bad value at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\""
        default: "malformed JSON"
        }
    }
}

/// ISO 8601 in UTC, with or without fractional seconds.
public enum ISO8601 {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    /// Accepts `2026-11-20T10:00:00Z`, with fractional seconds, with an offset, or a plain date `2026-11-20` (UTC).
    public static func parse(_ s: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt).parse(s) {
            return d
        }
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(s) {
            return d
        }
        if s.count == 10, let d = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(s) {
            return d
        }
        return nil
    }
}
