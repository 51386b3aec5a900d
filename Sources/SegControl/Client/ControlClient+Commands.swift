import Foundation

/// One typed method per command.
extension ControlClient {
    public func status() throws(ControlError) -> StatusReport { try call(.status) }
    public func version() throws(ControlError) -> VersionReport { try call(.version) }
    public func jobs(_ query: JobQuery = JobQuery()) throws(ControlError) -> [JobInfo] {
        try call(.jobs, query: query.queryItems, as: JobList.self).jobs
    }
    public func job(_ id: String) throws(ControlError) -> JobDetail { try call(.job(id)) }
    /// The job's preview PNG.
    public func preview(_ id: String) throws(ControlError) -> Data { try raw(.preview(id)).body }
    public func submit(_ request: SubmitRequest) throws(ControlError) -> SubmitResult { try call(.submit, body: request) }
    public func cancel(_ id: String) throws(ControlError) -> JobInfo { try call(.cancel(id), body: [String: String]()) }
    public func retry(_ id: String) throws(ControlError) -> JobInfo { try call(.retry(id), body: [String: String]()) }
    public func pause() throws(ControlError) -> ActionResult { try call(.pause, body: [String: String]()) }
    public func resume() throws(ControlError) -> ActionResult { try call(.resume, body: [String: String]()) }
    public func models() throws(ControlError) -> [ModelInfo] { try call(.models, as: ModelList.self).models }
    public func plugins() throws(ControlError) -> [PluginInfo] { try call(.plugins, as: PluginList.self).plugins }
    public func reload() throws(ControlError) -> ActionResult { try call(.reload, body: [String: String]()) }
    public func rulesTest(path: String) throws(ControlError) -> RulesTestReport {
        try call(.rulesTest, body: RulesTestRequest(path: path))
    }
    /// Prometheus text exposition.
    public func metrics() throws(ControlError) -> String { String(decoding: try raw(.metrics).body, as: UTF8.self) }
}
