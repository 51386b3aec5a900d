import Foundation

/// Text for people: durations, ages, sizes, and the `--since` argument.
public enum HumanFormat {
    /// `45s`, `3m12s`, `2h05m`, `3d04h`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        if seconds < 10 { return seconds < 0.05 ? "0s" : String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        return "\(s / 86400)d\(String(format: "%02d", s % 86400 / 3600))h"
    }

    /// `5m ago`; `in 30s` for a time in the future.
    public static func age(of date: Date, now: Date = Date()) -> String {
        let d = now.timeIntervalSince(date)
        if abs(d) < 1 { return "now" }
        let text = compact(abs(d))
        return d >= 0 ? "\(text) ago" : "in \(text)"
    }

    /// The largest unit only: `45s`, `12m`, `3h`, `2d`.
    static func compact(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    /// `812 MiB`, `5.5 GiB`.
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), i = 0
        while value >= 1024 && i < units.count - 1 { value /= 1024; i += 1 }
        return i == 0 ? "\(n) B" : (value < 10 ? String(format: "%.1f %@", value, units[i])
            : String(format: "%.0f %@", value, units[i]))
    }

    /// Reads `--since`: ISO 8601 (`2026-11-20T10:00:00Z`, a plain date) or a relative age `90s`, `30m`, `2h`,
    /// `1d`, `1w` counted back from `now`.
    public static func parseSince(_ text: String, now: Date = Date()) -> Date? {
        if let d = ISO8601.parse(text) { return d }
        guard let unit = text.last, let n = Int(text.dropLast()), n >= 0, n <= 100_000, text.first != "+" else {
            return nil
        }
        let factor: Double
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86400
        case "w": factor = 7 * 86400
        default: return nil
        }
        return now.addingTimeInterval(-Double(n) * factor)
    }
}
