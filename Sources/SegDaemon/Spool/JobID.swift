import Foundation
import Synchronization

/// Job ids: `j-YYYYMMDD-HHMMSS-xxxxxx` (UTC, then 6 random hex digits). They sort by creation time, are safe
/// as file names, and say nothing about the patient. Ids made by one process are unique: a flood of junk files
/// makes hundreds of jobs a second, where 24 random bits alone collide (a 50,000-file flood hit two).
public enum JobID {
    /// The random parts used per second, for the last few seconds ids were made in.
    private static let issued = Mutex<[String: Set<UInt32>]>([:])

    public static func make(now: Date) -> String {
        var t = time_t(now.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                           Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let random = issued.withLock { used -> UInt32 in
            if used[stamp] == nil, used.count >= 8, let oldest = used.keys.min() { used[oldest] = nil }
            while true {
                let r = UInt32.random(in: 0..<0x100_0000)
                if used[stamp, default: []].insert(r).inserted { return r }
            }
        }
        return "j-\(stamp)-\(String(format: "%06x", random))"
    }

    /// Whether `s` has the shape of a job id (checked before using one in a path).
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 24, s.hasPrefix("j-") else { return false }
        return u.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) || $0 == 45 }
    }
}
