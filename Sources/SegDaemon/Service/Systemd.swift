import CSystemd
import Foundation

/// The service manager, through libsystemd: readiness, status, watchdog, stopping, socket activation.
/// Every call is a no-op when segd was not started by systemd (no `NOTIFY_SOCKET`).
public enum Systemd {
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    public static func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public static func status(_ text: String) { notify("STATUS=\(text)") }
    public static func stopping() { notify("STOPPING=1") }
    public static func watchdogPing() { notify("WATCHDOG=1") }

    /// `RELOADING=1` with the monotonic time systemd wants since v253; `READY=1` after.
    public static func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// The watchdog interval systemd expects pings within, if the watchdog is on for this process.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// The first socket passed by socket activation (`segd.socket`), if any.
    public static func listenFD() -> Int32? {
        let n = sd_listen_fds(0)
        return n >= 1 ? SD_LISTEN_FDS_START : nil
    }

    /// Whether stderr is connected to the journal (systemd sets `JOURNAL_STREAM` to its device:inode).
    public static var stderrIsJournal: Bool {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        var st = stat()
        guard parts.count == 2, fstat(2, &st) == 0 else { return false }
        return parts[0] == "\(st.st_dev)" && parts[1] == "\(st.st_ino)"
    }
}
