import Foundation
import Testing
@testable import SegDaemon

@Suite struct SpoolTests {
    /// A folder on another file system than the temporary folder (tmpfs), for the copy path of the moves.
    static func otherFileSystem() throws -> TempFolder {
        let shm = "/dev/shm"
        var a = stat(), b = stat()
        guard stat(shm, &a) == 0, stat(NSTemporaryDirectory(), &b) == 0, a.st_dev != b.st_dev else {
            throw DaemonError(.startup, "\(shm) is not a separate file system here; this test needs one")
        }
        return try TempFolder("segd-test-shm", under: shm)
    }

    @Test func moveOnOneFileSystemIsARename() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        try tmp.folder("drop")
        let source = try tmp.file("drop/in.dcm", "payload")
        let before = inode(source)
        try tmp.folder("spool/j")
        let target = tmp.sub("spool/j/000001.dcm")
        try Spool.move(source, to: target)
        #expect(!FileManager.default.fileExists(atPath: source))
        #expect(FileManager.default.contents(atPath: target) == Data("payload".utf8))
        #expect(inode(target) == before, "same inode: renamed, not copied")
    }

    @Test func moveAcrossFileSystemsCopiesThenRemovesTheSource() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let other = try Self.otherFileSystem()
        defer { other.remove() }
        let source = try other.file("in.dcm", "payload")
        let target = tmp.sub("000001.dcm")
        try Spool.move(source, to: target)
        #expect(!FileManager.default.fileExists(atPath: source))
        #expect(FileManager.default.contents(atPath: target) == Data("payload".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["000001.dcm"], "no .segd-part left")
    }

    @Test func aFailedMoveSaysWhy() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let error = #expect(throws: DaemonError.self) { try Spool.move(tmp.sub("missing"), to: tmp.sub("x")) }
        #expect(error?.code == .folderUnusable)
        #expect(error?.message.contains("No such file or directory") == true, "\(String(describing: error))")
        let source = try tmp.file("in.dcm")
        let noFolder = #expect(throws: DaemonError.self) { try Spool.move(source, to: tmp.sub("no/such/folder/x")) }
        #expect(noFolder?.code == .folderUnusable)
        #expect(FileManager.default.fileExists(atPath: source), "the source stays when the move fails")
    }

    @Test func moveFolderRenamesAndCreatesTheTargetsParent() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        try tmp.folder("spool/j-1")
        try tmp.file("spool/j-1/000001.dcm", "a")
        try tmp.file("spool/j-1/.job.json", "{}")
        try Spool.moveFolder(tmp.sub("spool/j-1"), to: tmp.sub("quarantine/deep/j-1"))
        #expect(!FileManager.default.fileExists(atPath: tmp.sub("spool/j-1")))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: tmp.sub("quarantine/deep/j-1"))) == ["000001.dcm", ".job.json"])
    }

    @Test func moveFolderAcrossFileSystemsMovesEveryFile() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let other = try Self.otherFileSystem()
        defer { other.remove() }
        try other.folder("j-1")
        try other.file("j-1/000001.dcm", "a")
        try other.file("j-1/000002.dcm", "b")
        try Spool.moveFolder(other.sub("j-1"), to: tmp.sub("archive/j-1"))
        #expect(!FileManager.default.fileExists(atPath: other.sub("j-1")), "the emptied source folder is removed")
        #expect(FileManager.default.contents(atPath: tmp.sub("archive/j-1/000002.dcm")) == Data("b".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.sub("archive/j-1")).sorted() == ["000001.dcm", "000002.dcm"])
    }

    @Test func writeTextReplacesAtomicallyAndLeavesNoTemporary() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = tmp.sub("reason.txt")
        try Spool.writeText("first\n", to: path)
        try Spool.writeText("second ü\n", to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second ü\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["reason.txt"])
        let error = #expect(throws: DaemonError.self) { try Spool.writeText("x", to: tmp.sub("missing/reason.txt")) }
        #expect(error?.code == .folderUnusable)
    }

    @Test func inputFilesSkipDotfilesAndAreSorted() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        for name in ["000002.dcm", ".job.json", "000001.dcm", ".worker.json", "000010.dcm"] { try tmp.file(name) }
        #expect(Spool.inputFiles(in: tmp.path) == ["000001.dcm", "000002.dcm", "000010.dcm"].map(tmp.sub))
        #expect(Spool.inputFiles(in: tmp.sub("missing")).isEmpty)
    }

    @Test func prepareMakesTheFoldersAndRefusesAFileInTheWay() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let spool = Spool(spool: tmp.sub("s/spool"), quarantine: tmp.sub("s/q"), archive: tmp.sub("s/a"))
        try spool.prepare()
        for dir in [spool.spool, spool.quarantine, spool.archive] {
            var isDir: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue)
        }
        #expect(spool.jobFolder("j-x") == tmp.sub("s/spool/j-x") && spool.quarantineFolder("j-x") == tmp.sub("s/q/j-x"))
        try tmp.file("blocked")
        let error = #expect(throws: DaemonError.self) {
            try Spool(spool: tmp.sub("blocked"), quarantine: tmp.sub("q2"), archive: tmp.sub("a2")).prepare()
        }
        #expect(error?.code == .folderUnusable && error?.message.contains("paths.spool") == true)
    }
}
