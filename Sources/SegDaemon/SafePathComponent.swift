import Foundation
import SegModelKit

/// Turns identifiers that come from DICOM files (UIDs, i.e. untrusted input) into path components that are
/// safe to use under the spool, quarantine and output folders.
///
/// Rules:
/// - a well-formed UID (digits and single dots, not starting or ending with a dot, at most 64 characters) is
///   returned unchanged, so folder names stay recognisable;
/// - anything else is reduced to its digits and dots (runs of dots collapsed, leading and trailing dots
///   removed, at most 40 characters) and suffixed with `.` and a decimal hash of the raw bytes, so different
///   hostile inputs never collide and the result still holds only `[0-9.]`;
/// - an input with no digits at all becomes the placeholder `uid-<16 hex digits of SHA-256>`.
///
/// The result is never empty, never `.` or `..`, never contains `/`, NUL or control characters, and is at
/// most 64 bytes long.
public enum SafePathComponent {
    /// The longest component produced.
    public static let maximumLength = 64

    public static func forUID(_ uid: String) -> String { forUID(bytes: Array(uid.utf8)) }

    /// For raw header bytes, which need not be UTF-8.
    public static func forUID(bytes: [UInt8]) -> String {
        if isWellFormedUID(bytes) { return String(decoding: bytes, as: UTF8.self) }
        let digest = SHA256.hash(Data(bytes))
        var kept: [UInt8] = []
        for b in bytes where (b >= 0x30 && b <= 0x39) || b == 0x2E {
            if b == 0x2E && (kept.isEmpty || kept.last == 0x2E) { continue }
            kept.append(b)
        }
        while kept.last == 0x2E { kept.removeLast() }
        if kept.isEmpty { return "uid-" + digest.prefix(16) }
        if kept.count > 40 { kept = Array(kept.prefix(40)) }
        while kept.last == 0x2E { kept.removeLast() }
        // 15 hex digits fit in a UInt64 (at most 19 decimal digits): 40 + 1 + 19 <= 64.
        let suffix = UInt64(digest.prefix(15), radix: 16) ?? 0
        return String(decoding: kept, as: UTF8.self) + "." + String(suffix)
    }

    /// Digits and single dots, starting and ending with a digit, 1...64 bytes (the DICOM UID syntax, without
    /// the leading-zero rule, which does not matter for file names).
    public static func isWellFormedUID(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes.first != 0x2E, bytes.last != 0x2E else {
            return false
        }
        var previousDot = false
        for b in bytes {
            if b == 0x2E {
                if previousDot { return false }
                previousDot = true
            } else if b >= 0x30 && b <= 0x39 {
                previousDot = false
            } else {
                return false
            }
        }
        return true
    }
}
