/// The one error type of the DICOM module: a stable code plus a message that says what went wrong and what to do.
public struct DICOMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// DCMTK could not be initialised (data dictionary missing).
        case initialisation
        /// The file is not DICOM, is empty, truncated or otherwise unreadable.
        case unreadable
        /// The file is DICOM but carries no usable image (no PixelData, non-image SOP class, colour...).
        case notAnImage
        /// Decoding the pixel data failed.
        case decode
        /// The folder or series cannot be turned into one volume.
        case series
        /// A file system error (folder missing, not readable).
        case io
        /// A DICOM-SEG cannot be written for this input (unreferenceable source, geometry mismatch, undescribed
        /// labels), or DCMTK failed to build, save or read one.
        case segmentation
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
