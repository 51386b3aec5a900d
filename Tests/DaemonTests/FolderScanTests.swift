import Foundation
import SegControl
@testable import SegDaemon
import TestSupport
import Testing

/// `segctl rules test` reads DICOM in a child (`segd scan-folder`), never in the daemon: the child's answer equals
/// the in-process scan, and a crashing, hanging or failing child is an error for the caller, not a crash.
@Suite struct FolderScanTests {
    static let segd = DaemonHarness.buildFolder.appendingPathComponent("segd").path

    static func script(_ body: String) throws -> String {
        try ExecutableScript.temporary(body, prefix: "segd-scan")
    }

    @Test func theChildsFactsEqualTheInProcessScan() throws {
        let folder = DaemonTests.smallCT.path
        let child = try FolderScan.inChild(executable: Self.segd, path: folder, maxHeaderBytes: 64 << 20)
        let here = try FolderScan.scan(path: folder)
        #expect(child == here)
        #expect(child.series.count == 1)
        #expect(child.series.first?.facts["Modality"] == "CT")
        #expect(child.series.first?.facts["slices"] == "3")
    }

    @Test func aFolderThatCannotBeReadIsABadRequestWithTheReason() throws {
        let error = #expect(throws: ControlError.self) {
            try FolderScan.inChild(executable: Self.segd, path: "/nonexistent-\(UUID().uuidString)", maxHeaderBytes: 1 << 20)
        }
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains("cannot read /nonexistent-") == true, "\(error?.message ?? "")")
    }

    @Test func aCrashingScannerIsAnErrorForTheCaller() throws {
        let crasher = try Self.script("kill -SEGV $$")
        defer { unlink(crasher) }
        let error = #expect(throws: ControlError.self) {
            try FolderScan.inChild(executable: crasher, path: "/tmp", maxHeaderBytes: 1 << 20)
        }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("crashed (signal 11)") == true, "\(error?.message ?? "")")
    }

    @Test func aHangingScannerIsStoppedAtTheTimeout() throws {
        let hanger = try Self.script("exec sleep 60")
        defer { unlink(hanger) }
        let started = Date()
        let error = #expect(throws: ControlError.self) {
            try FolderScan.inChild(executable: hanger, path: "/tmp", maxHeaderBytes: 1 << 20, timeout: 1)
        }
        #expect(error?.code == .refused)
        #expect(error?.message.contains("took longer than 1 s") == true, "\(error?.message ?? "")")
        #expect(Date().timeIntervalSince(started) < 30, "the scanner was not stopped")
    }

    /// Foundation reports spawn failures as "NSCocoaErrorDomain error 256"; the caller gets the errno in words.
    @Test func aScannerThatCannotStartSaysWhy() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/segd"
        let error = #expect(throws: ControlError.self) {
            try FolderScan.inChild(executable: missing, path: "/tmp", maxHeaderBytes: 1 << 20)
        }
        #expect(error?.message.contains("No such file or directory") == true, "\(error?.message ?? "")")

        // A script still open for writing cannot be executed (ETXTBSY), the race ExecutableScript avoids.
        let busy = try Self.script("exit 0")
        defer { unlink(busy) }
        let fd = open(busy, O_WRONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        let busyError = #expect(throws: ControlError.self) {
            try FolderScan.inChild(executable: busy, path: "/tmp", maxHeaderBytes: 1 << 20)
        }
        #expect(busyError?.message.contains("Text file busy") == true, "\(busyError?.message ?? "")")
    }
}
