/// The one error type of SegdCore: running a job end to end (series → model → outputs).
///
/// Errors of the layers below (`DICOMError`, `ModelError`) pass through unchanged; these are the job's own.
public struct JobError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let noSeries = Code(rawValue: "no-series")
        public static let ambiguousSeries = Code(rawValue: "ambiguous-series")
        public static let output = Code(rawValue: "output")
        public static let preview = Code(rawValue: "preview")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
