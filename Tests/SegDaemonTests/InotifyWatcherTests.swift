import Foundation
import Synchronization
import Testing
@testable import SegDaemon

/// The watcher on real folders. Events arrive asynchronously: each check polls until its event arrived, with a
/// generous deadline (10 s); nothing is asserted about speed.
@Suite struct InotifyWatcherTests {
    /// Collects a watcher's events on a task of its own.
    final class Recorder: Sendable {
        final class Log: Sendable {
            let events = Mutex<[InotifyWatcher.Event]>([])
        }

        let watcher: InotifyWatcher
        let log = Log()
        let task: Task<Void, Never>

        init(_ folder: String) throws {
            let watcher = try InotifyWatcher()
            try watcher.watch(folder, root: folder)
            self.watcher = watcher
            let log = self.log
            task = Task {
                for await event in watcher.events { log.events.withLock { $0.append(event) } }
            }
        }

        var events: [InotifyWatcher.Event] { log.events.withLock { $0 } }

        func arrives(_ event: InotifyWatcher.Event) async -> Bool {
            await eventually { events.contains(event) }
        }

        /// Stops the watcher; its stream ends.
        func stop() async {
            watcher.stop()
            await task.value
        }
    }

    @Test func aFileClosedAfterWritingIsReported() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try Recorder(tmp.path)
        let path = try tmp.file("IM0001.dcm", "DICM")
        #expect(await r.arrives(.file(path: path, root: tmp.path)), "\(r.events)")
        await r.stop()
    }

    @Test func aFileMovedInIsReported() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let drop = try tmp.folder("drop")
        let r = try Recorder(drop)
        let outside = try tmp.file("staged.dcm")
        #expect(rename(outside, tmp.sub("drop/moved.dcm")) == 0)
        #expect(await r.arrives(.file(path: tmp.sub("drop/moved.dcm"), root: drop)), "\(r.events)")
        await r.stop()
    }

    @Test func aNewSubFolderIsReportedAndThenWatched() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try Recorder(tmp.path)
        let sub = try tmp.folder("study")
        #expect(await r.arrives(.folder(path: sub, root: tmp.path)), "\(r.events)")
        // The watch on the new folder exists once its event has been reported.
        let inner = try tmp.file("study/1.dcm")
        #expect(await r.arrives(.file(path: inner, root: tmp.path)), "\(r.events)")
        // And one level deeper.
        let deeper = try tmp.folder("study/series")
        #expect(await r.arrives(.folder(path: deeper, root: tmp.path)))
        let deepFile = try tmp.file("study/series/2.dcm")
        #expect(await r.arrives(.file(path: deepFile, root: tmp.path)), "\(r.events)")
        await r.stop()
    }

    @Test func foldersThatExistedBeforeTheWatchAreWatchedToo() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        try tmp.folder("a/b")
        let r = try Recorder(tmp.path)
        let path = try tmp.file("a/b/1.dcm")
        #expect(await r.arrives(.file(path: path, root: tmp.path)), "\(r.events)")
        await r.stop()
    }

    @Test func partNamesAreStillReportedFilteringIsTheIngestsJob() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try Recorder(tmp.path)
        let part = try tmp.file("IM0002.dcm.part")
        #expect(await r.arrives(.file(path: part, root: tmp.path)), "\(r.events)")
        // The usual "write to .part, rename when done" ends with a moved-in event for the final name.
        #expect(rename(part, tmp.sub("IM0002.dcm")) == 0)
        #expect(await r.arrives(.file(path: tmp.sub("IM0002.dcm"), root: tmp.path)), "\(r.events)")
        await r.stop()
    }

    @Test func symbolicLinksToFoldersOutsideAreNotFollowed() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let drop = try tmp.folder("drop")
        let outside = try tmp.folder("outside")
        try FileManager.default.createSymbolicLink(atPath: tmp.sub("drop/link"), withDestinationPath: outside)
        let r = try Recorder(drop)
        // Written outside first, then a marker inside: inotify keeps the order of one queue, so once the marker
        // is seen, an event for the outside file would have been seen too.
        try tmp.file("outside/secret.dcm")
        let marker = try tmp.file("drop/marker.dcm")
        #expect(await r.arrives(.file(path: marker, root: drop)))
        #expect(r.events == [.file(path: marker, root: drop)], "\(r.events)")
        await r.stop()
    }

    @Test func stopEndsTheStream() async throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try Recorder(tmp.path)
        await r.stop()  // returns only once the stream finished
        #expect(r.events.isEmpty)
    }
}
