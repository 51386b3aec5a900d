import Foundation
import Testing

/// The `--help` text of segctl, segd and every visible subcommand, compared with the committed copies in
/// `Tests/Fixtures/golden-help` (`<program>[_<sub>...].txt`). A changed help text is a reviewed change: regenerate
/// the copies with `SEGD_UPDATE_GOLDEN=1 swift test --skip-build --filter GoldenHelpTests` and commit them, then
/// check that the man pages (Packaging/man, `Packaging/test-man.sh`) still say the same.
@Suite struct GoldenHelpTests {
    static let folder = CLI.repoRoot.appendingPathComponent("Tests/Fixtures/golden-help")
    static let updating = ProcessInfo.processInfo.environment["SEGD_UPDATE_GOLDEN"] == "1"

    /// The help of `program words... --help` at a fixed width (help wraps to $COLUMNS).
    static func help(_ program: String, _ words: [String]) throws -> String {
        let r = try CLI.run(CLI.buildFolder.appendingPathComponent(program).path, words + ["--help"],
                            environment: ["COLUMNS": "100", "LINES": "50"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(program) \(words) --help: \(r.stderr)")
        return r.stdout
    }

    /// The subcommand names listed under SUBCOMMANDS: (hidden ones are not listed).
    static func subcommands(of help: String) -> [String] {
        guard let start = help.range(of: "\nSUBCOMMANDS:\n") else { return [] }
        var names: [String] = []
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            // A name is indented by two spaces; its abstract's continuation lines by more.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.dropFirst(2).split(separator: " ").first,
                  name.first?.isLetter == true else { continue }
            names.append(String(name))
        }
        return names
    }

    /// Every help text of `program`, depth first: file name → text.
    static func helpTexts(_ program: String) throws -> [(String, String)] {
        var out: [(String, String)] = []
        var pending: [[String]] = [[]]
        while let words = pending.popLast() {
            let text = try help(program, words)
            out.append((([program] + words).joined(separator: "_") + ".txt", text))
            // Depth-limited: an unknown word prints its parent's help, which must not loop.
            if words.count < 3 { pending += subcommands(of: text).reversed().map { words + [$0] } }
        }
        return out
    }

    @Test(arguments: ["segctl", "segd"])
    func helpTextMatchesTheGoldenCopy(program: String) throws {
        let texts = try Self.helpTexts(program)
        #expect(texts.count > 5, "\(program) lists its subcommands: \(texts.map(\.0))")
        if Self.updating { try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true) }
        for (name, text) in texts {
            let file = Self.folder.appendingPathComponent(name)
            if Self.updating {
                try Data(text.utf8).write(to: file)
                continue
            }
            let golden = try? String(contentsOf: file, encoding: .utf8)
            #expect(golden != nil, "no golden help \(name); run with SEGD_UPDATE_GOLDEN=1 and commit it")
            if let golden, golden != text {
                let first = zip(golden.split(separator: "\n", omittingEmptySubsequences: false),
                                text.split(separator: "\n", omittingEmptySubsequences: false))
                    .first { $0.0 != $0.1 }.map { "golden: \($0.0)\nnow:    \($0.1)" } ?? "(lengths differ)"
                Issue.record("the help text \(name) changed; if intended, regenerate with SEGD_UPDATE_GOLDEN=1:\n\(first)")
            }
        }
        // A golden copy of a subcommand that no longer exists is stale.
        let expected = Set(texts.map(\.0))
        let present = (try? FileManager.default.contentsOfDirectory(atPath: Self.folder.path)) ?? []
        let stale = present.filter { $0.hasPrefix(program + "_") || $0 == program + ".txt" }.filter { !expected.contains($0) }
        if Self.updating {
            for name in stale { try FileManager.default.removeItem(at: Self.folder.appendingPathComponent(name)) }
        } else {
            #expect(stale.isEmpty, "golden help of commands \(program) no longer has: \(stale)")
        }
    }
}
