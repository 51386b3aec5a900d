/// One model bundle of the daemon's catalog (`GET /v1/models`).
public struct ModelInfo: Codable, Sendable, Equatable {
    /// The bundle folder.
    public var directory: String
    public var valid: Bool
    public var id: String?
    public var version: String?
    public var networkClass: String?
    /// The plugin that runs the network, when one is loaded for its class.
    public var plugin: String?
    public var labels: [String]
    /// Why the bundle is invalid.
    public var problem: String?

    public init(directory: String, valid: Bool, id: String? = nil, version: String? = nil,
                networkClass: String? = nil, plugin: String? = nil, labels: [String] = [], problem: String? = nil) {
        self.directory = directory
        self.valid = valid
        self.id = id
        self.version = version
        self.networkClass = networkClass
        self.plugin = plugin
        self.labels = labels
        self.problem = problem
    }
}

public struct ModelList: Codable, Sendable, Equatable {
    public var models: [ModelInfo]
    public init(models: [ModelInfo]) { self.models = models }
}

/// One plugin library (`GET /v1/plugins`): loaded with its network classes, or the reason it was skipped.
public struct PluginInfo: Codable, Sendable, Equatable {
    public var path: String
    public var loaded: Bool
    public var name: String?
    public var version: String?
    public var classes: [String]
    public var problem: String?

    public init(path: String, loaded: Bool, name: String? = nil, version: String? = nil, classes: [String] = [],
                problem: String? = nil) {
        self.path = path
        self.loaded = loaded
        self.name = name
        self.version = version
        self.classes = classes
        self.problem = problem
    }
}

public struct PluginList: Codable, Sendable, Equatable {
    public var plugins: [PluginInfo]
    public init(plugins: [PluginInfo]) { self.plugins = plugins }
}

/// `POST /v1/rules/test`: the routing dry run of every series under a folder.
public struct RulesTestReport: Codable, Sendable, Equatable {
    public struct Series: Codable, Sendable, Equatable {
        public var seriesHash: String
        public var description: String?
        public var modality: String?
        public var slices: Int
        /// The rule that matched, if any.
        public var rule: String?
        /// The router's explanation, one line per rule considered.
        public var decision: [String]
        /// The models it would run (empty: unrouted).
        public var models: [String]

        public init(seriesHash: String, description: String?, modality: String?, slices: Int, rule: String?,
                    decision: [String], models: [String]) {
            self.seriesHash = seriesHash
            self.description = description
            self.modality = modality
            self.slices = slices
            self.rule = rule
            self.decision = decision
            self.models = models
        }
    }

    public var path: String
    public var series: [Series]
    /// Files that are not part of a usable series, with the reason (one line each).
    public var skipped: [String]

    public init(path: String, series: [Series], skipped: [String] = []) {
        self.path = path
        self.series = series
        self.skipped = skipped
    }
}
