import Foundation
import SegModelKit

/// Short, stable tags for DICOM UIDs, for file names and logs, so that neither carries the UID itself.
public enum UIDHash {
    /// The first 12 hex digits of the SHA-256 of the UID.
    public static func short(_ uid: String) -> String {
        String(SHA256.hash(Data(uid.utf8)).prefix(12))
    }
}
