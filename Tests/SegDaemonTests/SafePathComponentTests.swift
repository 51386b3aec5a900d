import Testing
@testable import SegDaemon

@Suite struct SafePathComponentTests {
    static func isSafe(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && !s.contains("/") && !s.contains("..") && s.utf8.count <= 64
            && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    @Test func wellFormedUIDsAreKept() {
        for uid in ["1.2.840.10008.5.1.4.1.1.2", "2.25.329800735698586629295641978511506172918", "0", "1.0.1"] {
            #expect(SafePathComponent.forUID(uid) == uid)
        }
        let sixtyFour = String(repeating: "1.", count: 31) + "12"
        #expect(sixtyFour.count == 64 && SafePathComponent.forUID(sixtyFour) == sixtyFour)
    }

    @Test(arguments: ["..", ".", "/", "../../etc/passwd", "1.2/../3", "1..2", ".1.2.", "1.2\n3", "1.2\0.3", "", " ",
                      "a", "é", "1.2.3 ", String(repeating: "9", count: 65), String(repeating: ".", count: 500),
                      String(repeating: "1.", count: 200)])
    func hostileInputsBecomeSafe(_ input: String) {
        let out = SafePathComponent.forUID(input)
        #expect(Self.isSafe(out), "\(out.debugDescription) from \(input.debugDescription)")
        #expect(out != input || SafePathComponent.isWellFormedUID(Array(input.utf8)))
    }

    @Test func nonUTF8BytesAreHandled() {
        let bytes: [UInt8] = [0x31, 0x2E, 0xFF, 0xFE, 0x2E, 0x2E, 0x2F, 0x32]
        let out = SafePathComponent.forUID(bytes: bytes)
        #expect(Self.isSafe(out))
        #expect(out.hasPrefix("1.2."))
        #expect(out.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E })
    }

    @Test func differentHostileInputsDoNotCollide() {
        let a = SafePathComponent.forUID("1.2/3")
        let b = SafePathComponent.forUID("1.2\\3")
        let c = SafePathComponent.forUID("1.23")
        #expect(a != b && a != c && b != c)
        #expect(SafePathComponent.forUID("1.2/3") == a, "deterministic")
        let emptyish = [SafePathComponent.forUID(""), SafePathComponent.forUID("abc"), SafePathComponent.forUID("..")]
        #expect(Set(emptyish).count == 3 && emptyish.allSatisfy { $0.hasPrefix("uid-") && $0.count == 20 })
    }
}
