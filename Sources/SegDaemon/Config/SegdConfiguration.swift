/// Everything in `/etc/segd/segd.conf`, with its defaults. Plain values; read with `SegdConfiguration.load`.
///
/// Defaults (every key is optional except each watch folder's `path` and `output`):
///
/// | key | default |
/// |---|---|
/// | `paths.state` | `/var/lib/segd` |
/// | `paths.spool` | `/var/lib/segd/spool` |
/// | `paths.quarantine` | `/var/lib/segd/quarantine` |
/// | `paths.archive` | `/var/lib/segd/archive` |
/// | `paths.models` | `/usr/share/segd/models` |
/// | `paths.plugins` | `[]` (then segd's built-in plugin search path) |
/// | `processing.workers` | 1 (1...64) |
/// | `processing.blasThreads` | 0 = all cores (0...1024) |
/// | `processing.memoryBudget` | `"auto"` (80 % of physical memory), or e.g. `"6GiB"`, or bytes |
/// | `processing.retention` | `"keep"` (`delete`, `archive` or `keep`) |
/// | `processing.shutdownGraceSeconds` | 30 (0...86400) |
/// | `metrics.textfile` | none (a path: also write the metrics there) |
/// | `timeouts.decode/preprocess/inference/postprocess/write` | 600/600/3600/600/600 s (1...604800) |
/// | `ingest.rescanSeconds` | 60 (0 = no rescan ... 86400) |
/// | `ingest.maxHeaderSize` | `"64MiB"` (1 MiB ... 4 GiB): bytes read as one file's header before it is quarantined |
/// | `retry.maxAttempts` | 5 (1...100) |
/// | `retry.initialDelaySeconds` / `maxDelaySeconds` / `multiplier` | 30 / 1800 / 2.0 |
/// | `control.socket` | `/run/segd/control.sock` |
/// | `control.mode` | `"0660"` |
/// | `control.group` | `"segd"` |
/// | `control.adminGroup` | `"segd-admin"` |
/// | `control.submitRoots` | `[]` (folders `segctl submit` may read; empty: submit is off) |
/// | `watch[i].quietSeconds` | 30 (1...86400) |
public struct SegdConfiguration: Sendable, Equatable {
    public struct Paths: Sendable, Equatable {
        public var state = "/var/lib/segd"
        public var spool = "/var/lib/segd/spool"
        public var quarantine = "/var/lib/segd/quarantine"
        public var archive = "/var/lib/segd/archive"
        public var models = "/usr/share/segd/models"
        public var plugins: [String] = []
        public init() {}
    }

    /// What happens to a series' input files once its job is done (or unrouted).
    public enum Retention: String, Sendable, Equatable, CaseIterable {
        case delete, archive, keep
    }

    /// The memory the daemon may plan for at once (admission control).
    public enum MemoryBudget: Sendable, Equatable {
        /// 80 % of physical memory, decided at start.
        case auto
        case bytes(Int)
    }

    public struct Processing: Sendable, Equatable {
        public var workers = 1
        /// 0: all cores.
        public var blasThreads = 0
        public var memoryBudget = MemoryBudget.auto
        public var retention = Retention.keep
        /// On SIGTERM, how long the running job may take to finish before it is left to resume at next start.
        public var shutdownGraceSeconds = 30
        public init() {}
    }

    /// Per-stage timeouts, in seconds.
    public struct Timeouts: Sendable, Equatable {
        public var decode = 600
        public var preprocess = 600
        public var inference = 3600
        public var postprocess = 600
        public var write = 600
        public init() {}

        public func seconds(for stage: String) -> Int? {
            switch stage {
            case "decode": decode
            case "preprocess": preprocess
            case "inference": inference
            case "postprocess": postprocess
            case "write": write
            default: nil
            }
        }
    }

    public struct Ingest: Sendable, Equatable {
        /// Seconds between rescans of the watch folders (a fallback where inotify is silent); 0 disables them.
        public var rescanSeconds = 60
        /// Bytes DCMTK may read as the header of one file (large values are skipped, not read) before the file is
        /// judged malformed; bounds the work a file that starts like DICOM and continues with junk can cause.
        public var maxHeaderBytes = 64 << 20
        public init() {}
    }

    public struct Control: Sendable, Equatable {
        public var socket = "/run/segd/control.sock"
        /// Permission bits of the socket (octal in the file, e.g. "0660").
        public var mode = 0o660
        public var group = "segd"
        /// Members may run mutating segctl commands (besides root and segd's own user).
        public var adminGroup = "segd-admin"
        /// Folders `segctl submit` may take series from (copied, never moved); empty: submit is off.
        public var submitRoots: [String] = []
        public init() {}
    }

    public struct Watch: Sendable, Equatable {
        public var path: String
        /// Where this folder's SEGs are written.
        public var output: String
        /// A series becomes a job once no file of it arrived for this long.
        public var quietSeconds = 30
        /// The line of its `[[watch]]` header.
        public var line = 0

        public init(path: String, output: String, quietSeconds: Int = 30) {
            self.path = path
            self.output = output
            self.quietSeconds = quietSeconds
        }
    }

    public struct Metrics: Sendable, Equatable {
        /// Also write the Prometheus text to this file (for node_exporter's textfile collector); nil: do not.
        public var textfile: String?
        public init() {}
    }

    public var paths = Paths()
    public var metrics = Metrics()
    public var processing = Processing()
    public var timeouts = Timeouts()
    public var ingest = Ingest()
    public var retry = RetryPolicy()
    public var control = Control()
    public var watches: [Watch] = []
    /// In file order; the first matching rule wins.
    public var rules: [RoutingRule] = []

    public init() {}

    /// The default location of the configuration file.
    public static let defaultPath = "/etc/segd/segd.conf"
}
