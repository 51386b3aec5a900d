/// The one error type of the plugin SDK: plugins, bundles, pre/post-processing and inference.
///
/// `message` says what went wrong and what to do about it.
public struct ModelError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let pluginLoadFailed = Code(rawValue: "plugin-load-failed")
        public static let pluginABIMismatch = Code(rawValue: "plugin-abi-mismatch")
        public static let pluginCallFailed = Code(rawValue: "plugin-call-failed")
        public static let unknownNetworkClass = Code(rawValue: "unknown-network-class")
        public static let invalidNetworkDescription = Code(rawValue: "invalid-network-description")
        public static let invalidTensor = Code(rawValue: "invalid-tensor")
        public static let invalidBundle = Code(rawValue: "invalid-bundle")
        public static let weightsMismatch = Code(rawValue: "weights-mismatch")
        public static let unsupportedInput = Code(rawValue: "unsupported-input")
        public static let io = Code(rawValue: "io")
        public static let invalidManifest = Code(rawValue: "invalid-manifest")
        public static let weightsChecksumMismatch = Code(rawValue: "weights-checksum-mismatch")
        public static let invalidGeometry = Code(rawValue: "invalid-geometry")
        public static let inferenceFailed = Code(rawValue: "inference-failed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
