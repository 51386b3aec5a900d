import Foundation
import Testing

@Suite struct ModelsTests {
    @Test func listsValidAndInvalidBundlesWithReasons() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ProcessTests.makeBundle(in: dir)  // valid: utnet-test
        let broken = dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data(#"{"id": "broken"}"#.utf8).write(to: broken.appendingPathComponent("model.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("not-a-bundle"),
                                                withIntermediateDirectories: true)

        let r = try CLI.segd(["models", "--json", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let models = try #require(json["models"] as? [[String: Any]])
        #expect(models.count == 2)
        let valid = models.first { $0["valid"] as? Bool == true }
        #expect(valid?["id"] as? String == "utnet-test")
        #expect(valid?["labels"] as? [String] == ["One", "Two", "Three"])
        let invalid = models.first { $0["valid"] as? Bool == false }
        #expect((invalid?["problem"] as? String)?.contains("missing") == true, "\(String(describing: invalid))")

        let table = try CLI.segd(["models", dir.path])
        #expect(table.stdout.contains("valid    utnet-test 0.0.1") && table.stdout.contains("invalid  "))
    }
}
