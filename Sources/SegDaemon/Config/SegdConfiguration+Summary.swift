extension SegdConfiguration {
    /// A few lines for `segd check-config`: folders, processing, rules. No secrets, no patient data.
    public var summary: [String] {
        var out: [String] = []
        out.append("watch folders: \(watches.count)")
        for w in watches { out.append("  \(w.path) -> \(w.output) (quiet \(w.quietSeconds) s)") }
        out.append("state \(paths.state), spool \(paths.spool), quarantine \(paths.quarantine), models \(paths.models)")
        let budget: String = switch processing.memoryBudget {
        case .auto: "auto"
        case .bytes(let b): "\(b / (1 << 20)) MiB"
        }
        out.append("workers \(processing.workers), BLAS threads \(processing.blasThreads == 0 ? "all" : String(processing.blasThreads)), memory budget \(budget), retention \(processing.retention.rawValue)")
        out.append("timeouts (s): decode \(timeouts.decode), preprocess \(timeouts.preprocess), inference \(timeouts.inference), postprocess \(timeouts.postprocess), write \(timeouts.write)")
        out.append("rescan every \(ingest.rescanSeconds) s; retry up to \(retry.maxAttempts) attempts")
        out.append("control socket \(control.socket) (mode \(String(control.mode, radix: 8)), group \(control.group), admin group \(control.adminGroup))")
        out.append("routing rules: \(rules.count) (first match wins)")
        for r in rules { out.append("  \(r.name): \(r.conditions.count) condition(s) -> \(r.models.joined(separator: ", "))") }
        return out
    }
}
