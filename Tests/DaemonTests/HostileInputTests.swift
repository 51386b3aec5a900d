import Foundation
import SegDaemon
import TestSupport
import Testing

/// Hostile input against a real `segd run` (issue 10, part 4): symbolic links out of the drop folder, hostile
/// file names, a huge non-DICOM file, a flood of tiny files, a 5,000-slice series, hostile UIDs, a corrupt model
/// bundle, a plugin of the wrong ABI. One serialized suite (its tests live in the `Hostile*Tests.swift` files),
/// so its daemons never run at the same time as each other and the figures it prints are comparable.
@Suite(.serialized) struct HostileInputTests {
    /// Symbolic links in a drop folder are neither followed nor moved; what they point to is left exactly as it
    /// was, at start-up (scan and the inotify set-up walk) and while running (inotify, periodic rescans).
    @Test func symbolicLinksOutOfTheDropFolderAreNotFollowed() async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly, rescanSeconds: 1)
        defer { d.remove() }
        let fm = FileManager.default
        // Outside the drop folder: a DICOM file, a non-DICOM file, a folder with a series (and a sub-folder).
        let outside = d.root.appendingPathComponent("outside")
        let series = outside.appendingPathComponent("series")
        try fm.createDirectory(at: series.appendingPathComponent("deeper"), withIntermediateDirectories: true)
        for name in ["IMG0001.dcm", "IMG0002.dcm", "IMG0003.dcm"] {
            try fm.copyItem(at: Hostile.smallCT.appendingPathComponent(name), to: series.appendingPathComponent(name))
        }
        try fm.copyItem(at: Hostile.slice, to: series.appendingPathComponent("deeper/IMG0001.dcm"))
        try fm.copyItem(at: Hostile.slice, to: outside.appendingPathComponent("single.dcm"))
        try Data("not DICOM, and not yours to move".utf8).write(to: outside.appendingPathComponent("junk.bin"))
        let before = snapshot(outside)

        // Links present before the daemon starts.
        try fm.createDirectory(at: d.watch.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("early-file.dcm").path, withDestinationPath: outside.appendingPathComponent("single.dcm").path)
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("early-dir").path, withDestinationPath: series.path)
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("sub/early-junk").path, withDestinationPath: outside.appendingPathComponent("junk.bin").path)
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("dangling.dcm").path, withDestinationPath: outside.appendingPathComponent("nothing-here").path)
        try d.start()

        // Links made while it runs: created in place, and moved in (IN_MOVED_TO), relative and absolute.
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("late-file.dcm").path, withDestinationPath: "../outside/single.dcm")
        try fm.createSymbolicLink(atPath: d.watch.appendingPathComponent("late-dir").path, withDestinationPath: series.path)
        let staged = d.root.appendingPathComponent("staged-link")
        try fm.createSymbolicLink(atPath: staged.path, withDestinationPath: outside.appendingPathComponent("junk.bin").path)
        #expect(rename(staged.path, d.watch.appendingPathComponent("sub/moved-junk").path) == 0)
        let stagedDir = d.root.appendingPathComponent("staged-dir-link")
        try fm.createSymbolicLink(atPath: stagedDir.path, withDestinationPath: series.path)
        #expect(rename(stagedDir.path, d.watch.appendingPathComponent("moved-dir").path) == 0)
        // A file written later inside the linked folder's sub-folder: a watch set up through the link would see it.
        try fm.copyItem(at: Hostile.smallCT.appendingPathComponent("IMG0002.dcm"), to: series.appendingPathComponent("deeper/late.dcm"))
        // A sentinel: a junk file really in the drop folder, which must be quarantined (the ingest is alive).
        try Data("sentinel".utf8).write(to: d.watch.appendingPathComponent("sentinel.bin"))
        try d.waitUntil("the sentinel is quarantined", timeout: 60) { try d.jobs().contains { $0.state == .quarantined } }
        // Several rescans (every 1 s, files older than the 2 s quiet time) pass over the links.
        Thread.sleep(forTimeInterval: 5)

        let jobs = try d.jobs()
        #expect(jobs.count == 1, "only the sentinel makes a job: \(jobs.map { "\($0.state) \($0.files) \($0.errorMessage ?? "")" })")
        #expect(jobs.first?.files == 1)
        var after = snapshot(outside)
        after["series/deeper/late.dcm"] = nil
        #expect(after == before, "the link targets are untouched")
        #expect(fm.fileExists(atPath: series.appendingPathComponent("deeper/late.dcm").path), "a file in the linked folder stays")
        for link in ["early-file.dcm", "early-dir", "sub/early-junk", "dangling.dcm", "late-file.dcm", "late-dir", "sub/moved-junk", "moved-dir"] {
            let path = d.watch.appendingPathComponent(link).path
            #expect((try? fm.destinationOfSymbolicLink(atPath: path)) != nil, "the link \(link) stays where it was")
        }
        // Nothing of the outside files reached segd's folders.
        let outsideContents = Set(before.values)
        for folder in [d.spool, d.quarantine, d.output] {
            for file in d.files(in: folder) {
                let data = fm.contents(atPath: folder.appendingPathComponent(file).path) ?? Data()
                #expect(!outsideContents.contains(data), "\(folder.lastPathComponent)/\(file) is a copy of a link target")
            }
        }
        #expect(d.isRunning)
    }
    }

    /// Hostile names (dot-only names, newlines, escape sequences, non-UTF-8 bytes, 255 bytes) on DICOM files, on
    /// junk files and on folders: DICOM is taken into one job, junk is quarantined, every name segd creates is
    /// plain, nothing is created outside segd's folders, and the log never carries a raw control character.
    @Test func hostileFileNamesAreIngestedOrQuarantinedUnderSafeNames() async throws { try await offPool {
        let d = try Hostile.harness(rules: Hostile.mrOnly, rescanSeconds: 1)
        defer { d.remove() }
        try d.start()
        let slices = try ["IMG0001.dcm", "IMG0002.dcm", "IMG0003.dcm"].map { try Data(contentsOf: Hostile.smallCT.appendingPathComponent($0)) }
        let fakeLog = Array("\nFAKE-LOG-LINE critical : [segd] pwned\n".utf8)
        let escape = Array("\u{1B}[31mred\u{1B}[0m".utf8)
        // Hostile folders holding DICOM, a dot-only name and a non-UTF-8 name, made beside the drop folder and
        // moved in whole (the daemon renames a non-UTF-8 name at once; a folder made in place could move under
        // the writer's feet).
        let stage = d.root.appendingPathComponent("stage")
        try FileManager.default.createDirectory(at: stage, withIntermediateDirectories: true)
        for (folder, file, slice) in [(Array("...".utf8), Array("slice...".utf8), slices[0]),
                                      ([0x63, 0x61, 0x66, 0xE9], [0xFF, 0xFE, 0x0A, 0x2E, 0x2E], slices[1])] {   // "café" in Latin-1; FF FE \n ..
            try Hostile.makeFolder(Hostile.join(stage.path, folder))
            try Hostile.writeFile(Hostile.join(stage.path, folder) + [47] + file, contents: slice)
            var from = Hostile.join(stage.path, folder) + [0]
            var to = Hostile.join(d.watch.path, folder) + [0]
            let moved = from.withUnsafeMutableBufferPointer { f in
                to.withUnsafeMutableBufferPointer { t in
                    f.baseAddress!.withMemoryRebound(to: CChar.self, capacity: f.count) { fp in
                        t.baseAddress!.withMemoryRebound(to: CChar.self, capacity: t.count) { rename(fp, $0) == 0 }
                    }
                }
            }
            #expect(moved)
        }
        try FileManager.default.removeItem(at: stage)
        try Hostile.writeFile(Hostile.join(d.watch.path, fakeLog), contents: slices[2])
        // Junk with hostile names, straight in the drop folder.
        // (Names starting with a dot are the senders' "still writing" convention: ignored, left in place.)
        let ignored: [[UInt8]] = [Array("..junk".utf8), Array("....".utf8), Array("..".utf8) + [0x0A] + Array("x.dcm".utf8)]
        for name in ignored { try Hostile.writeFile(Hostile.join(d.watch.path, name), contents: slices[0]) }
        let junkNames: [[UInt8]] = [
            Array("x..".utf8), Array("a..b..".utf8), [0x80, 0x81, 0x2F - 1, 0xC3, 0x28], fakeLog + Array("junk".utf8),
            escape, Array("reason.txt".utf8), [UInt8](repeating: 0x78, count: 250) + Array(".bin".utf8),
            Array("-rf ; rm x".utf8), Array("\\..\\..\\windows".utf8),
        ]
        for (i, name) in junkNames.enumerated() {
            try Hostile.writeFile(Hostile.join(d.watch.path, name), contents: Data("junk \(i)".utf8))
        }
        try d.waitUntil("the series is read and every junk file quarantined", timeout: 120) {
            let jobs = try d.jobs()
            return jobs.filter { $0.state == .quarantined }.count == junkNames.count && jobs.contains { $0.state == .unrouted }
        }
        let jobs = try d.jobs()
        let series = jobs.filter { $0.state != .quarantined }
        #expect(series.count == 1 && series.first?.files == 3, "the three slices are one series: \(series.map { "\($0.state) \($0.files)" })")
        #expect(series.first?.state == .unrouted)

        // Every name segd created is plain ASCII, no dotfile but its own bookkeeping.
        let plain = { (name: [UInt8]) in
            name.allSatisfy { $0 < 0x80 && (isalnum(Int32($0)) != 0 || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F) } && name.count <= 100
        }
        for folder in [d.spool.path, d.quarantine.path] {
            for rel in Hostile.rawTree(folder) {
                let name = Array(rel.split(separator: 47, omittingEmptySubsequences: false).last ?? [])
                #expect(plain(name) && (name.first != 0x2E || [".job.json", ".worker.json"].contains(String(decoding: name, as: UTF8.self))),
                        "unsafe name in \(folder): \(String(decoding: rel, as: UTF8.self).debugDescription)")
            }
        }
        // The spool holds the three slices intact; the quarantine every junk file, each with its reason.
        let spooled = try #require(series.first).id
        let inSpool = Set(Spool.inputFiles(in: d.spool.appendingPathComponent(spooled).path).compactMap { FileManager.default.contents(atPath: $0) })
        #expect(inSpool == Set(slices))
        var junkFound = Set<Data>()
        for job in jobs where job.state == .quarantined {
            let folder = d.quarantine.appendingPathComponent(job.id)
            let reason = try String(contentsOf: folder.appendingPathComponent("reason.txt"), encoding: .utf8)
            #expect(reason.contains("original name: "), "\(reason)")
            let originalLine = reason.components(separatedBy: "\n").first { $0.hasPrefix("original name: ") } ?? ""
            #expect(!originalLine.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(originalLine.debugDescription)")
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !["reason.txt", "job.json"].contains(name) {
                if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) { junkFound.insert(data) }
            }
        }
        #expect(junkFound == Set(junkNames.indices.map { Data("junk \($0)".utf8) }), "each junk file is in quarantine, none overwritten")
        // Nothing left in the drop folder but the (emptied) folders and the ignored dotfiles, untouched;
        // nothing new beside segd's folders.
        let left = Set(Hostile.rawTree(d.watch.path).filter { rel in
            var st = stat()
            return lstat(String(decoding: Hostile.join(d.watch.path, rel), as: UTF8.self), &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR
        })
        #expect(left == Set(ignored), "\(left.map { String(decoding: $0, as: UTF8.self).debugDescription })")
        let top = Set(try FileManager.default.contentsOfDirectory(atPath: d.root.path))
        #expect(top.isSubset(of: ["in", "out", "state", "spool", "quarantine", "archive", "models", "segd.conf", "segd.log", "control.sock"]), "\(top)")
        // The log: no line made by a file name; no raw escape character.
        let log = d.logText
        #expect(!log.components(separatedBy: "\n").contains { $0.hasPrefix("FAKE-LOG-LINE") }, "a file name forged a log line")
        #expect(!log.contains("\u{1B}"), "a raw escape sequence reached the log")
        #expect(d.isRunning)
    }
    }

    /// Path → contents of every regular file under `folder` (links not followed).
    func snapshot(_ folder: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for rel in Hostile.rawTree(folder.path) {
            let path = folder.path + "/" + String(decoding: rel, as: UTF8.self)
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { out[String(decoding: rel, as: UTF8.self)] = FileManager.default.contents(atPath: path) }
        }
        return out
    }
}
