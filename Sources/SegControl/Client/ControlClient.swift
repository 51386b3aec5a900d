#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A blocking client of segd's control socket: one connection per call, `Connection: close`.
///
/// Every failure is a `ControlError`: the daemon's own errors as it sent them, and on this side
/// `socket-not-found`, `daemon-not-running`, `permission-denied` (naming the socket's group),
/// `version-mismatch` (naming both protocol versions), `protocol-error`, `timeout` and `io`.
public struct ControlClient: Sendable {
    public var socketPath: String
    /// Seconds one call may take, connect to last byte.
    public var timeout: Double
    /// The protocol version this client sends (a test may pretend to be another).
    public var protocolVersion: Int

    public init(socketPath: String = ControlProtocol.defaultSocketPath, timeout: Double = 60,
                protocolVersion: Int = ControlProtocol.version) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.protocolVersion = protocolVersion
    }

    /// Sends one raw request and returns the raw response after checking the daemon's protocol version.
    /// Non-2xx answers are returned, not thrown.
    public func send(_ request: HTTPRequest) throws(ControlError) -> HTTPResponse {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        let fd = try connect()
        defer { close(fd) }
        var request = request
        request.headers.set("Host", ControlProtocol.host)
        request.headers.set(ControlProtocol.versionHeader, String(protocolVersion))
        request.headers.set("Connection", "close")
        try UnixSocket.writeAll(fd, request.serialized(), deadline: deadline)
        var parser = HTTPParser(kind: .response, limits: .response)
        while true {
            switch try UnixSocket.read(fd, max: 64 * 1024, deadline: deadline) {
            case .data(let bytes):
                parser.append(bytes)
                if let response = try parser.nextResponse() {
                    if response.status == 100 { continue }
                    try checkVersion(response)
                    return response
                }
            case .endOfFile:
                throw ControlError(.protocolError, "segd closed the connection on \(socketPath) before answering")
            case .timedOut:
                throw ControlError(.timeout, "segd did not answer within \(Int(timeout)) s on \(socketPath)")
            }
        }
    }

    /// Calls a route and decodes its JSON answer; an error answer is thrown as the daemon's `ControlError`.
    public func call<Response: Decodable>(_ route: ControlRoute, query: [(String, String)] = [],
                                          as type: Response.Type = Response.self) throws(ControlError) -> Response {
        let response = try raw(route, query: query, body: Data())
        return try ControlJSON.decode(Response.self, from: response.body, code: .protocolError)
    }

    /// Calls a route with a JSON body.
    public func call<Body: Encodable, Response: Decodable>(_ route: ControlRoute, body: Body,
                                                           as type: Response.Type = Response.self)
        throws(ControlError) -> Response
    {
        let data: Data
        do { data = try ControlJSON.encode(body) } catch {
            throw ControlError(.badRequest, "could not encode the request")
        }
        let response = try raw(route, query: [], body: data)
        return try ControlJSON.decode(Response.self, from: response.body, code: .protocolError)
    }

    /// Calls a route and returns the successful response as is (previews, metrics).
    public func raw(_ route: ControlRoute, query: [(String, String)] = [], body: Data = Data())
        throws(ControlError) -> HTTPResponse
    {
        var headers = HTTPHeaders()
        if !body.isEmpty { headers.add("Content-Type", "application/json") }
        let request = HTTPRequest(method: route.method, target: HTTPRequest.target(route.path, query: query),
                                  headers: headers, body: body)
        let response = try send(request)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return response
    }

    static func error(from response: HTTPResponse) -> ControlError {
        if let body = try? ControlJSON.decoder().decode(ControlErrorBody.self, from: response.body) {
            return ControlError(body)
        }
        return ControlError(.protocolError, "segd answered HTTP \(response.status) without an error body")
    }

    private func checkVersion(_ response: HTTPResponse) throws(ControlError) {
        guard let header = response.headers[ControlProtocol.versionHeader], let version = Int(header) else {
            throw ControlError(.protocolError, "\(socketPath) answered, but not as segd (no \(ControlProtocol.versionHeader) header)")
        }
        if version != protocolVersion {
            throw ControlError.versionMismatch(client: protocolVersion, daemon: version)
        }
    }

    private func connect() throws(ControlError) -> Int32 {
        let failure: POSIXErrorCode
        switch try UnixSocket.connect(path: socketPath) {
        case .success(let fd): return fd
        case .failure(let e): failure = e.code
        }
        switch failure {
        case .ENOENT, .ENOTDIR:
            throw ControlError(.socketNotFound, "no segd control socket at \(socketPath): is segd running? "
                + "(systemctl status segd; or name the socket with --socket or \(ControlProtocol.socketEnvironmentVariable))")
        case .ECONNREFUSED:
            throw ControlError(.daemonNotRunning, "segd is not running: nothing accepts connections on \(socketPath) "
                + "(systemctl start segd)")
        case .EACCES, .EPERM:
            let group = Self.groupName(of: socketPath).map { "you need to be in group \($0)" }
                ?? "you need to be in the socket's group"
            throw ControlError(.permissionDenied, "permission denied on \(socketPath): \(group) "
                + "(sudo usermod -aG GROUP $USER, then log in again), or run segctl as root")
        default:
            throw ControlError(.io, "cannot connect to \(socketPath): \(String(cString: strerror(failure.rawValue)))")
        }
    }

    /// The group owning the socket (or, when the socket cannot be looked at, its folder).
    static func groupName(of path: String) -> String? {
        var st = stat()
        let folder = (path as NSString).deletingLastPathComponent
        guard stat(path, &st) == 0 || stat(folder, &st) == 0 else { return nil }
        return UserDatabase.groupName(st.st_gid)
    }
}
