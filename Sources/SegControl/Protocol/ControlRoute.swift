/// Every endpoint of the control protocol: how a request's method and path map to a command, and back.
///
/// | method | path | command |
/// |---|---|---|
/// | GET | /v1/status | status |
/// | GET | /v1/version | version |
/// | GET | /v1/jobs?state&model&since&limit | jobs |
/// | POST | /v1/jobs | submit |
/// | GET | /v1/jobs/{id} | job |
/// | GET | /v1/jobs/{id}/preview | preview |
/// | POST | /v1/jobs/{id}/cancel | cancel |
/// | POST | /v1/jobs/{id}/retry | retry |
/// | POST | /v1/ingest/pause | pause |
/// | POST | /v1/ingest/resume | resume |
/// | GET | /v1/models | models |
/// | GET | /v1/plugins | plugins |
/// | POST | /v1/reload | reload |
/// | POST | /v1/rules/test | rules-test |
/// | GET | /v1/metrics | metrics |
public enum ControlRoute: Sendable, Equatable {
    case status, version, jobs, submit
    case job(String), preview(String), cancel(String), retry(String)
    case pause, resume, models, plugins, reload, rulesTest, metrics

    /// Who may call a route.
    public enum Access: Sendable, Equatable {
        /// Anyone who can connect to the socket.
        case read
        /// root, the daemon's own user, or a member of the admin group; written to the audit log.
        case admin
    }

    public var method: String {
        switch self {
        case .status, .version, .jobs, .job, .preview, .models, .plugins, .metrics: "GET"
        case .submit, .cancel, .retry, .pause, .resume, .reload, .rulesTest: "POST"
        }
    }

    public var path: String {
        switch self {
        case .status: "/v1/status"
        case .version: "/v1/version"
        case .jobs, .submit: "/v1/jobs"
        case .job(let id): "/v1/jobs/\(id)"
        case .preview(let id): "/v1/jobs/\(id)/preview"
        case .cancel(let id): "/v1/jobs/\(id)/cancel"
        case .retry(let id): "/v1/jobs/\(id)/retry"
        case .pause: "/v1/ingest/pause"
        case .resume: "/v1/ingest/resume"
        case .models: "/v1/models"
        case .plugins: "/v1/plugins"
        case .reload: "/v1/reload"
        case .rulesTest: "/v1/rules/test"
        case .metrics: "/v1/metrics"
        }
    }

    /// The command name (audit log, metrics, messages).
    public var command: String {
        switch self {
        case .status: "status"
        case .version: "version"
        case .jobs: "jobs"
        case .submit: "submit"
        case .job: "job"
        case .preview: "preview"
        case .cancel: "cancel"
        case .retry: "retry"
        case .pause: "pause"
        case .resume: "resume"
        case .models: "models"
        case .plugins: "plugins"
        case .reload: "reload"
        case .rulesTest: "rules-test"
        case .metrics: "metrics"
        }
    }

    /// The job a route acts on.
    public var jobID: String? {
        switch self {
        case .job(let id), .preview(let id), .cancel(let id), .retry(let id): id
        default: nil
        }
    }

    /// Mutating commands need an admin. `rules-test` reads DICOM headers of a folder with the daemon's rights,
    /// so it is an admin command too.
    public var access: Access {
        method == "POST" ? .admin : .read
    }

    /// Maps a request line to a route: `unknown-command` for an unknown path, `method-not-allowed` for a known
    /// path with the wrong method, `bad-request` for a malformed job id.
    public static func resolve(method: String, path: String) throws(ControlError) -> ControlRoute {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let candidates: [ControlRoute]
        switch segments {
        case ["v1", "status"]: candidates = [.status]
        case ["v1", "version"]: candidates = [.version]
        case ["v1", "jobs"]: candidates = [.jobs, .submit]
        case ["v1", "ingest", "pause"]: candidates = [.pause]
        case ["v1", "ingest", "resume"]: candidates = [.resume]
        case ["v1", "models"]: candidates = [.models]
        case ["v1", "plugins"]: candidates = [.plugins]
        case ["v1", "reload"]: candidates = [.reload]
        case ["v1", "rules", "test"]: candidates = [.rulesTest]
        case ["v1", "metrics"]: candidates = [.metrics]
        default:
            guard segments.count >= 3, segments.count <= 4, segments[0] == "v1", segments[1] == "jobs" else {
                throw unknown(path)
            }
            let id = segments[2]
            if segments.count == 3 {
                candidates = [.job(id)]
            } else {
                switch segments[3] {
                case "preview": candidates = [.preview(id)]
                case "cancel": candidates = [.cancel(id)]
                case "retry": candidates = [.retry(id)]
                default: throw unknown(path)
                }
            }
            guard isValidJobID(id) else {
                throw ControlError(.badRequest, "\"\(id.prefix(80))\" is not a job id (like j-20261120-101500-a1b2c3)")
            }
        }
        if let route = candidates.first(where: { $0.method == method }) { return route }
        let allowed = candidates.map(\.method).joined(separator: ", ")
        throw ControlError(.methodNotAllowed, "\(path) takes \(allowed), not \(method.prefix(20))")
    }

    /// A job id: 1...64 characters of letters, digits, `-` and `_`.
    public static func isValidJobID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x5F }
    }

    private static func unknown(_ path: String) -> ControlError {
        ControlError(.unknownCommand, "unknown command \(path.prefix(100)); see docs/control-protocol.md for the endpoints")
    }
}
