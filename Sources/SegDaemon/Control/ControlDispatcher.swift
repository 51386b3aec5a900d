import Foundation
import Logging
import SegControl

/// Turns one parsed request from one peer into one response: protocol version, route, authorisation, the
/// backend call, and the audit line of a mutating command. No socket here, so it is tested directly.
public struct ControlDispatcher: Sendable {
    public let backend: any ControlBackend
    public let policy: AdminPolicy
    public let audit: AuditLog?
    public let logger: Logger

    public init(backend: any ControlBackend, policy: AdminPolicy, audit: AuditLog?, logger: Logger) {
        self.backend = backend
        self.policy = policy
        self.audit = audit
        self.logger = logger
    }

    public func handle(_ request: HTTPRequest, peer: PeerIdentity) async -> HTTPResponse {
        let route: ControlRoute
        do {
            try Self.checkVersion(request)
            route = try ControlRoute.resolve(method: request.method, path: request.path)
        } catch {
            return .error(error)
        }
        let target = Self.target(of: route, request: request)
        if case .denied(let error) = policy.decide(route.access, peer: peer, command: route.command) {
            logger.warning("control command refused", metadata: ["command": "\(route.command)", "uid": "\(peer.uid)"])
            record(route, target: target, peer: peer, result: error)
            return .error(error)
        }
        let response: HTTPResponse
        do {
            response = try await call(route, request)
            record(route, target: target, peer: peer, result: nil)
        } catch {
            let controlError = (error as? ControlError) ?? {
                logger.error("control command failed", metadata: ["command": "\(route.command)", "error": "\(error)"])
                return ControlError(.internal, "segd failed to run \(route.command); see its log (journalctl -u segd)")
            }()
            record(route, target: target, peer: peer, result: controlError)
            return .error(controlError)
        }
        return response
    }

    /// A request's `Segd-Protocol` header, when present, must be ours (curl sends none and is served).
    static func checkVersion(_ request: HTTPRequest) throws(ControlError) {
        guard let header = request.headers[ControlProtocol.versionHeader] else { return }
        guard let version = Int(header.trimmingCharacters(in: .whitespaces)) else {
            throw ControlError(.badRequest, "\(ControlProtocol.versionHeader) must be a number")
        }
        if version != ControlProtocol.version {
            throw ControlError.versionMismatch(client: version, daemon: ControlProtocol.version)
        }
    }

    private func call(_ route: ControlRoute, _ request: HTTPRequest) async throws -> HTTPResponse {
        switch route {
        case .status: return .json(try await backend.status())
        case .version: return .json(VersionReport())
        case .jobs: return .json(JobList(jobs: try await backend.jobs(try JobQuery(queryItems: request.queryItems()))))
        case .job(let id): return .json(try await backend.job(id: id))
        case .preview(let id):
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "image/png")]),
                                body: try await backend.preview(id: id))
        case .submit: return .json(try await backend.submit(try body(SubmitRequest.self, request)))
        case .cancel(let id): return .json(try await backend.cancel(id: id))
        case .retry(let id): return .json(try await backend.retry(id: id))
        case .pause: return .json(try await backend.pause())
        case .resume: return .json(try await backend.resume())
        case .models: return .json(ModelList(models: try await backend.models()))
        case .plugins: return .json(PluginList(plugins: try await backend.plugins()))
        case .reload: return .json(try await backend.reload())
        case .rulesTest: return .json(try await backend.rulesTest(path: try body(RulesTestRequest.self, request).path))
        case .metrics:
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")]),
                                body: Data(try await backend.metrics().utf8))
        }
    }

    private func body<T: Decodable>(_ type: T.Type, _ request: HTTPRequest) throws(ControlError) -> T {
        guard !request.body.isEmpty else {
            throw ControlError(.badRequest, "this command needs a JSON body, e.g. {\"path\": \"/srv/dicom/in\"}")
        }
        let value = try ControlJSON.decode(T.self, from: request.body)
        if let path = (value as? SubmitRequest)?.path ?? (value as? RulesTestRequest)?.path, !path.hasPrefix("/") {
            throw ControlError(.badRequest, "path must be absolute: \(path)")
        }
        return value
    }

    /// What the audit line names: the job, or the folder of a submit or rules test.
    static func target(of route: ControlRoute, request: HTTPRequest) -> String? {
        if let id = route.jobID { return id }
        switch route {
        case .submit: return (try? ControlJSON.decoder().decode(SubmitRequest.self, from: request.body))?.path
        case .rulesTest: return (try? ControlJSON.decoder().decode(RulesTestRequest.self, from: request.body))?.path
        default: return nil
        }
    }

    private func record(_ route: ControlRoute, target: String?, peer: PeerIdentity, result error: ControlError?) {
        guard route.access == .admin, let audit else { return }
        let entry = AuditEntry(time: Date(), uid: peer.uid, pid: peer.pid, command: route.command, target: target,
                               result: error?.code.rawValue ?? "ok", message: error?.message)
        if !audit.record(entry) {
            logger.error("audit log write failed", metadata: ["path": "\(audit.path)"])
        }
    }
}
