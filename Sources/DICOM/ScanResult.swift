/// What the scanner decided for one stack.
public enum SeriesStatus: String, Sendable {
    /// Forms one volume; `stack` is set.
    case accepted
    /// Cannot (or must not) be used; `reasons` say why.
    case rejected
    /// Deliberately not used (localizers/scouts).
    case skipped
}

/// One series, or one sub-stack of a series that had to be split.
public struct SeriesReport: Sendable {
    public var seriesInstanceUID: String
    public var modality: String
    public var seriesDescription: String
    /// Files contributing to this stack (sorted paths).
    public var files: [String]
    public var status: SeriesStatus
    /// Human-readable reasons (why rejected/skipped/split, duplicates removed, single slice...).
    public var reasons: [String]
    /// The stack, whenever the geometry is consistent. Set for every accepted report and also for series that
    /// are rejected only for reasons that do not affect the volume (e.g. empty UIDs).
    public var stack: SeriesStack?
}

/// A file that is not part of any series, with the reason.
public struct IgnoredFile: Sendable, Hashable {
    public var path: String
    public var reason: String
}

/// The result of scanning a folder: every series/stack found and every file that was ignored.
public struct ScanResult: Sendable {
    public var series: [SeriesReport]
    public var ignoredFiles: [IgnoredFile]

    /// The stacks that can be segmented.
    public var acceptedStacks: [SeriesStack] {
        series.filter { $0.status == .accepted }.compactMap(\.stack)
    }
}
