import Foundation
import Testing
@testable import SegDaemon

@Suite struct FileNameTests {
    @Test(arguments: [("IM0001.dcm", "IM0001.dcm"), ("..", "_."), (".", "_"), ("", "_"), ("...x", "_..x"),
                      ("a/b", "a_b"), ("../../etc/passwd", "_._.._etc_passwd"), ("line\nbreak", "line_break"),
                      ("tab\there", "tab_here"), ("é.dcm", "_.dcm"), ("a b-c_d.1", "a_b-c_d.1"), ("/", "_"),
                      (".bashrc", "_bashrc"), ("nul\0x", "nul_x")])
    func fileNames(_ input: String, _ expected: String) {
        #expect(SafePathComponent.fileName(input) == expected, "\(input.debugDescription)")
    }

    @Test func fileNamesAreAlwaysSafe() {
        let inputs = ["..", ".", "", "/", "//..//", String(repeating: ".", count: 300), String(repeating: "é", count: 300),
                      String(repeating: "a", count: 1000), "\u{202E}gnp.exe", "🙂", "a\u{0}b"]
        for input in inputs {
            let out = SafePathComponent.fileName(input)
            #expect(!out.isEmpty && out != "." && out != ".." && !out.hasPrefix("."), "\(input.debugDescription) → \(out)")
            #expect(out.utf8.count <= 100, "\(out.utf8.count) bytes")
            #expect(out.utf8.allSatisfy { $0 >= 0x21 && $0 < 0x7F && $0 != UInt8(ascii: "/") })
        }
        #expect(SafePathComponent.fileName(String(repeating: "a", count: 1000)) == String(repeating: "a", count: 100))
    }

    @Test func printableEscapesControlCharactersOnly() {
        #expect(SafePathComponent.printable("plain name.dcm") == "plain name.dcm")
        #expect(SafePathComponent.printable("a\nb") == "a\\u{a}b")
        #expect(SafePathComponent.printable("\u{1B}[31mred") == "\\u{1b}[31mred")
        #expect(SafePathComponent.printable("x\r\ty\0") == "x\\u{d}\\u{9}y\\u{0}")
        #expect(SafePathComponent.printable("bad\u{FFFD}") == "bad\\u{fffd}")
        #expect(SafePathComponent.printable("é ü 日本") == "é ü 日本")
        #expect(!SafePathComponent.printable("a\u{7F}\u{85}b").unicodeScalars.contains { $0.properties.generalCategory == .control })
    }
}

@Suite struct JobIDTests {
    @Test func madeIdsHaveTheDocumentedShape() throws {
        let now = Date(timeIntervalSince1970: 1_767_225_599)  // 2025-12-31 23:59:59 UTC
        let id = JobID.make(now: now)
        #expect(id.hasPrefix("j-20251231-235959-"), "\(id)")
        #expect(id.count == 24 && JobID.isValid(id))
        #expect(id.suffix(6).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // Random part: 50 ids in one second are (practically) all different.
        #expect(Set((0..<50).map { _ in JobID.make(now: now) }).count > 45)
        // They sort by creation time.
        #expect(JobID.make(now: Date(timeIntervalSince1970: 1_000_000_000)) < JobID.make(now: now))
    }

    /// A junk flood makes hundreds of jobs a second: ids of one second never repeat (24 random bits alone
    /// would: ~1,200 collisions expected among 200,000).
    @Test func idsOfOneSecondAreUnique() {
        let now = Date(timeIntervalSince1970: 1_767_225_599)
        let ids = (0..<200_000).map { _ in JobID.make(now: now) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy(JobID.isValid))
    }

    @Test(arguments: ["", "j-", "j-20251231-235959-abcde", "j-20251231-235959-abcdef0", "J-20251231-235959-abcdef",
                      "j-20251231-235959-ABCDEF", "j-20251231-235959-abcdeg", "j-20251231/235959-abcdef",
                      "../20251231-235959-abcde", "j-20251231-235959-abc.ef", "x-20251231-235959-abcdef",
                      "j-20251231-235959-abcdé"])
    func malformedIdsAreRejected(_ s: String) {
        #expect(!JobID.isValid(s), "\(s)")
    }

    @Test func validIdsAreAccepted() {
        #expect(JobID.isValid("j-20251231-235959-abcdef"))
        #expect(JobID.isValid("j-19700101-000000-000000"))
    }
}
