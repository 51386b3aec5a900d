import DICOM
import Foundation
import Logging
import SegModelKit
import Synchronization

/// Feeds the scheduler from the watch folders: inotify events as they come, a scan at start and after
/// `resume`, and a periodic rescan (for network file systems, where inotify is silent).
public final class Ingest: Sendable {
    let scheduler: Scheduler
    let watches: [SegdConfiguration.Watch]
    let rescanSeconds: Int
    let logger: Logger
    let watcher: InotifyWatcher
    let inflight: InflightMarker?
    /// Paths being ingested now (events, follow-up scans, rescans and retries may name one file at once: it is
    /// handled once), and unreadable young files to look at again (path → watch folder, when due). One retry
    /// loop drains the latter in order: a flood of junk files is not thousands of tasks waking at once.
    let inFlight = Mutex<Set<String>>([])
    let retries = Mutex<[String: (watch: String, due: Date)]>([:])
    /// Folders segd's user cannot move files out of (a sub-folder made with umask 022 by another user), and
    /// when that was last logged: their files are left untouched, and the warning repeats at most hourly.
    let unmovable = Mutex<[String: Date]>([:])

    public init(scheduler: Scheduler, watches: [SegdConfiguration.Watch], rescanSeconds: Int, logger: Logger,
                inflight: InflightMarker? = nil) throws(DaemonError)
    {
        self.inflight = inflight
        self.scheduler = scheduler
        self.watches = watches
        self.rescanSeconds = rescanSeconds
        self.logger = logger
        for w in watches {
            do {
                try FileManager.default.createDirectory(atPath: w.path, withIntermediateDirectories: true)
            } catch {
                throw DaemonError(.folderUnusable, "cannot create the watch folder \(w.path): \(error.localizedDescription)")
            }
            guard access(w.path, R_OK | W_OK | X_OK) == 0 else {
                throw DaemonError(.folderUnusable, "the watch folder \(w.path) must be readable and writable by segd (files are moved out of it)")
            }
        }
        watcher = try InotifyWatcher()
        for w in watches { try watcher.watch(w.path, root: w.path) }
    }

    /// Runs until cancelled: the start-up scan, then events and rescans.
    public func run() async {
        if let inflight, let path = inflight.leftOver() {
            inflight.set(nil)
            var st = stat()
            if lstat(path, &st) == 0, let watch = watches.first(where: { path.hasPrefix($0.path + "/") }) {
                logger.error("a file's header crashed segd last time; quarantining it unread")
                await scheduler.quarantineFile(path, watch: watch.path,
                                               reason: "segd ended abnormally while reading this file's header; quarantined without reading it again")
            }
        }
        await rescan(minimumAge: 2)
        // Files that landed just before the watches existed and were too young to trust: look again.
        followUp(watches.map { ($0.path, $0.path) })
        let events = watcher.events
        let retrier = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let now = Date()
                let due = retries.withLock { pending in
                    let ready = pending.filter { $0.value.due <= now }.sorted { $0.key < $1.key }
                    for (path, _) in ready { pending[path] = nil }
                    return ready
                }
                for (path, entry) in due where !Task.isCancelled { await ingest(path, watch: entry.watch, retry: false) }
            }
        }
        let rescanner = Task {
            guard rescanSeconds > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(rescanSeconds))
                if Task.isCancelled { break }
                await rescan(minimumAge: nil)
            }
        }
        await withTaskCancellationHandler {
            for await event in events {
                switch event {
                case .file(let path, let root): await ingest(path, watch: root)
                case .folder(let path, let root):
                    // Files closed before the folder's watch existed get no event; settled ones are taken now,
                    // younger ones (maybe still open) by a follow-up scan or by their own close event.
                    for file in DropFolder.scan(path, minimumAge: 1).files { await ingest(file, watch: root) }
                    followUp([(path, root)])
                case .overflow:
                    logger.warning("inotify queue overflowed; rescanning")
                    await rescan(minimumAge: 2)
                }
            }
        } onCancel: {
            watcher.stop()
        }
        rescanner.cancel()
        retrier.cancel()
    }

    /// Scans `folders` once more in 2 s for files that were too young to take at the first look.
    func followUp(_ folders: [(path: String, root: String)]) {
        Task {
            try? await Task.sleep(for: .seconds(2))
            for (path, root) in folders {
                for file in DropFolder.scan(path, minimumAge: 1).files { await ingest(file, watch: root) }
            }
        }
    }

    /// Picks up files already in the watch folders. `minimumAge` nil: the watch folder's quiet time (a file
    /// changed more recently may still be being written on a file system inotify cannot see).
    public func rescan(minimumAge: TimeInterval?) async {
        for w in watches {
            let found = DropFolder.scan(w.path, minimumAge: minimumAge ?? Double(w.quietSeconds))
            for file in found.files { await ingest(file, watch: w.path) }
        }
    }

    /// One file: its UIDs are read, then it is moved into its series' job folder; a file that is not usable
    /// DICOM goes to quarantine with the reason.
    func ingest(_ path: String, watch: String, retry: Bool = true) async {
        let name = (path as NSString).lastPathComponent
        logger.debug("file seen", metadata: ["file": "\(SafePathComponent.printable(name))"])
        guard !DropFolder.isIgnored(name) else { return }
        guard inFlight.withLock({ $0.insert(path).inserted }) else { return }
        defer { _ = inFlight.withLock { $0.remove(path) } }
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        guard canMoveOut(path, watch: watch) else { return }
        let identity: InstanceIdentity
        do {
            inflight?.set(path)
            defer { inflight?.set(nil) }
            identity = try InstanceIdentity.read(path: path)
        } catch {
            // A file changed in the last seconds may still be being written by a writer inotify cannot see:
            // look again later before calling it bad.
            let changed = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) * 1e-9
            if retry, Date().timeIntervalSince1970 - changed < 5 {
                retries.withLock { $0[path] = (watch, Date().addingTimeInterval(5)) }
                return
            }
            await scheduler.quarantineFile(path, watch: watch, reason: "not a readable DICOM file: \(error.message)")
            return
        }
        var uid = identity.seriesInstanceUID
        if uid.isEmpty {
            // No SeriesInstanceUID: files of one sub-folder are taken as one series.
            let folder = (path as NSString).deletingLastPathComponent
            uid = "noseries-" + SHA256.hash(Data(folder.utf8)).prefix(16)
        }
        guard let target = await scheduler.accept(watch: watch, seriesUID: uid) else { return }
        do {
            try Spool.move(path, to: target.path)
            await scheduler.moved(target, ok: true)
        } catch {
            await scheduler.moved(target, ok: false)
            logger.error("cannot move a file into the spool", metadata: ["job": "\(target.jobID)", "error": "\(error)"])
        }
    }

    /// Whether segd may move `path` out of its folder (write and search permission on the folder). When not,
    /// the file is left where it is, unread (no job, no quarantine: neither could take it), with a warning
    /// that names the folder relative to the watch folder and the fix.
    func canMoveOut(_ path: String, watch: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        if access(folder, W_OK | X_OK) == 0 { return true }
        let now = Date()
        let warn = unmovable.withLock { seen in
            if let last = seen[folder], now.timeIntervalSince(last) < 3600 { return false }
            seen[folder] = now
            return true
        }
        if warn {
            let relative = folder.hasPrefix(watch + "/") ? String(folder.dropFirst(watch.count + 1)) : "."
            logger.warning("files left in a folder segd cannot write to", metadata: [
                "folder": "\(SafePathComponent.printable(relative))",
                "fix": "give segd's group write access to the folder (chmod g+w), e.g. copy with umask 002, or drop files, not folders",
            ])
        }
        return false
    }
}
