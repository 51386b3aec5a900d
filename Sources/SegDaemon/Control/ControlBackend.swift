import Foundation
import SegControl

/// What the control socket asks of the daemon. The daemon implements it over its job store, scheduler and
/// catalogs; `ControlServer` maps each endpoint to one method (see `docs/control-protocol.md`).
///
/// Throw `ControlError` with a fitting code (`.notFound` for an unknown job, `.refused` for a command that
/// cannot be done in the current state or a path outside the configured roots, `.badRequest`,
/// `.unavailable`); any other error is answered as `internal` and logged. Methods may be called concurrently.
public protocol ControlBackend: Sendable {
    /// `GET /v1/status`.
    func status() async throws -> StatusReport
    /// `GET /v1/jobs`: newest first, at most `query.limit` (or `JobQuery.defaultLimit`).
    func jobs(_ query: JobQuery) async throws -> [JobInfo]
    /// `GET /v1/jobs/{id}`.
    func job(id: String) async throws -> JobDetail
    /// `GET /v1/jobs/{id}/preview`: the PNG bytes (`.notFound` when the job has none).
    func preview(id: String) async throws -> Data
    /// `POST /v1/jobs`: queue a folder as if it had been dropped (`.refused` outside the configured roots).
    func submit(_ request: SubmitRequest) async throws -> SubmitResult
    /// `POST /v1/jobs/{id}/cancel`: the job afterwards.
    func cancel(id: String) async throws -> JobInfo
    /// `POST /v1/jobs/{id}/retry`: the job that will run (the same one re-queued, or a re-run).
    func retry(id: String) async throws -> JobInfo
    /// `POST /v1/ingest/pause`: stop intake, keep what is queued.
    func pause() async throws -> ActionResult
    /// `POST /v1/ingest/resume`.
    func resume() async throws -> ActionResult
    /// `GET /v1/models`.
    func models() async throws -> [ModelInfo]
    /// `GET /v1/plugins`.
    func plugins() async throws -> [PluginInfo]
    /// `POST /v1/reload`: re-read the configuration and the model catalog (as SIGHUP).
    func reload() async throws -> ActionResult
    /// `POST /v1/rules/test`: the routing dry run of every series under a folder.
    func rulesTest(path: String) async throws -> RulesTestReport
    /// `GET /v1/metrics`: Prometheus text exposition format 0.0.4.
    func metrics() async throws -> String
}
