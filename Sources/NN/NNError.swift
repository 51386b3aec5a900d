/// The one error type of the `NN` module: a machine-readable `code` and a `message` that says what went wrong
/// and what to do about it.
public struct NNError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// A tensor's shape does not fit the operation (wrong rank, channel count, mismatching sizes).
        case shapeMismatch
        /// An argument is out of range (negative padding, zero stride, unknown mode...).
        case invalidArgument
        /// A weight key the network needs is not in the weights file.
        case missingWeight
        /// The weights file holds keys the network never used.
        case unusedWeight
        /// A weight exists but has another shape or dtype than the network expects.
        case weightShapeMismatch
        /// The safetensors file is truncated, has a bad header, or an unsupported dtype.
        case badFile
        /// Reading or writing a file failed at the OS level.
        case io
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
