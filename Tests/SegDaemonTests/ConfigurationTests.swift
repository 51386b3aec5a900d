import Foundation
import Testing
@testable import SegDaemon

@Suite struct ConfigurationTests {
    @Test func theShippedExampleParses() throws {
        let path = TestData.repoRoot.appendingPathComponent("Packaging/segd.conf").path
        let c = try SegdConfiguration.load(path: path)
        #expect(c.watches == [SegdConfiguration.Watch(path: "/srv/segd/incoming", output: "/srv/segd/output", quietSeconds: 30)]
                .map { var w = $0; w.line = c.watches.first?.line ?? 0; return w })
        #expect(c.rules.count == 1)
        let rule = try #require(c.rules.first)
        #expect(rule.name == "ct-axial-demo" && rule.models == ["demo-ct"])
        #expect(rule.conditions.map(\.description) == ["Modality equals \"CT\"", "plane equals \"axial\"", "slices in range 3...+inf"])
        // The packaged folders: spool, quarantine and archive beside the watch folders (one ReadWritePaths= mount).
        #expect(c.paths.spool == "/srv/segd/spool" && c.paths.quarantine == "/srv/segd/quarantine"
                && c.paths.archive == "/srv/segd/archive")
        // Everything else is at its default.
        var defaults = SegdConfiguration()
        defaults.paths.spool = c.paths.spool
        defaults.paths.quarantine = c.paths.quarantine
        defaults.paths.archive = c.paths.archive
        defaults.watches = c.watches
        defaults.rules = c.rules
        #expect(c == defaults)
    }

    @Test func defaultsAreDocumentedValues() {
        let c = SegdConfiguration()
        #expect(c.paths.state == "/var/lib/segd" && c.paths.spool == "/var/lib/segd/spool")
        #expect(c.processing.workers == 1 && c.processing.blasThreads == 0 && c.processing.memoryBudget == .auto)
        #expect(c.processing.retention == .keep && c.ingest.rescanSeconds == 60 && c.ingest.maxHeaderBytes == 64 << 20)
        #expect(c.control.socket == "/run/segd/control.sock" && c.control.mode == 0o660 && c.control.adminGroup == "segd-admin")
        #expect(c.retry == RetryPolicy(maxAttempts: 5, initialDelay: .seconds(30), multiplier: 2, maxDelay: .seconds(1800)))
        #expect(c.timeouts.seconds(for: "inference") == 3600 && c.timeouts.seconds(for: "bogus") == nil)
    }

    @Test func everyKeyIsRead() throws {
        let c = try SegdConfiguration.parse("""
            [paths]
            state = "/s"
            spool = "/s/spool"
            quarantine = "/s/q"
            archive = "/s/a"
            models = "/m"
            plugins = ["/p1", "/p2"]
            [processing]
            workers = 2
            blasThreads = 4
            memoryBudget = "6GiB"
            retention = "archive"
            [timeouts]
            decode = 1
            preprocess = 2
            inference = 3
            postprocess = 4
            write = 5
            [ingest]
            rescanSeconds = 0
            maxHeaderSize = "8MiB"
            [retry]
            maxAttempts = 3
            initialDelaySeconds = 5
            maxDelaySeconds = 50
            multiplier = 1.5
            [control]
            socket = "/run/x.sock"
            mode = "0600"
            group = "seg"
            adminGroup = "radiology-it"
            [[watch]]
            path = "/in/a"
            output = "/out/a"
            quietSeconds = 5
            [[watch]]
            path = "/in/b"
            output = "/out/b"
            """)
        #expect(c.paths.plugins == ["/p1", "/p2"] && c.paths.archive == "/s/a" && c.paths.models == "/m")
        #expect(c.processing.workers == 2 && c.processing.blasThreads == 4 && c.processing.memoryBudget == .bytes(6 << 30))
        #expect(c.processing.retention == .archive)
        let timeouts: [Int] = [c.timeouts.decode, c.timeouts.preprocess, c.timeouts.inference, c.timeouts.postprocess, c.timeouts.write]
        #expect(timeouts == [1, 2, 3, 4, 5])
        #expect(c.ingest.rescanSeconds == 0 && c.ingest.maxHeaderBytes == 8 << 20)
        #expect(c.retry == RetryPolicy(maxAttempts: 3, initialDelay: .seconds(5), multiplier: 1.5, maxDelay: .seconds(50)))
        #expect(c.control.mode == 0o600 && c.control.group == "seg" && c.control.adminGroup == "radiology-it")
        #expect(c.watches.map(\.quietSeconds) == [5, 30] && c.watches.map(\.line) == [32, 36])
    }

    @Test func allErrorsAreCollectedWithLineAndKey() throws {
        let text = """
            [paths]
            state = "relative"
            colour = "red"
            [processing]
            workers = 0
            memoryBudget = "lots"
            retention = "shred"
            [timeouts]
            inference = "1h"
            [retry]
            initialDelaySeconds = 60
            maxDelaySeconds = 10
            [control]
            mode = "999"
            [[watch]]
            path = "/in"
            output = "/in/seg"
            quietSeconds = 0
            [[watch]]
            output = "/out"
            [[watch]]
            path = "/in"
            output = "/out"
            [surprise]
            """
        let error = #expect(throws: DaemonError.self) { try SegdConfiguration.parse(text, path: "/etc/segd/segd.conf") }
        let d = try #require(error).diagnostics
        let got = d.map { "\($0.line) \($0.key)" }
        #expect(got == [
            "2 paths.state", "3 paths.colour", "5 processing.workers", "6 processing.memoryBudget",
            "7 processing.retention", "9 timeouts.inference", "12 retry.maxDelaySeconds", "14 control.mode",
            "15 watch[1].output", "15 watch[1].output", "18 watch[1].quietSeconds", "19 watch[2].path", "21 watch[3].path",
            "24 surprise",
        ], "\(d.map(\.description))")
        #expect(error?.code == .invalidConfig && error?.message.contains("14 errors") == true)
        #expect(d[1].formatted(path: "/etc/segd/segd.conf") == "/etc/segd/segd.conf:3: paths.colour: unknown key")
        #expect(d[5].message == "expected an integer, found a string")
        #expect(d[8].message.contains("watch[1]") && d[9].message.contains("watch[3]"), "/in/seg is inside both")
        #expect(d[12].message.contains("already watched") || d[12].message.contains("watched by watch[1]"))
    }

    @Test func syntaxAndValidationErrorsAreReportedTogether() {
        let (_, d) = SegdConfiguration.read("""
            [processing]
            workers = 1 2
            blasThreads = -1
            """)
        #expect(d.map(\.line) == [2, 3])
        #expect(d[0].column == 13 && d[0].key == "processing.workers")
    }

    @Test func missingAndNonUTF8FilesAreUnreadable() throws {
        #expect(throws: DaemonError.self) { try SegdConfiguration.load(path: "/nonexistent/segd.conf") }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-\(UUID().uuidString).conf")
        try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let e = #expect(throws: DaemonError.self) { try SegdConfiguration.load(path: url.path) }
        #expect(e?.code == .configUnreadable && e?.message.contains("UTF-8") == true)
    }

    @Test func memorySizes() {
        #expect(SegdConfiguration.parseMemory("auto") == .auto)
        #expect(SegdConfiguration.parseMemory("512MiB") == .bytes(512 << 20))
        #expect(SegdConfiguration.parseMemory("1.5 GB") == .bytes(1_500_000_000))
        #expect(SegdConfiguration.parseMemory("1MiB") == nil, "below 64 MiB")
        #expect(SegdConfiguration.parseMemory("8G") == nil, "ambiguous unit")
        #expect(SegdConfiguration.parseMemory("-1GiB") == nil)
    }
}

@Suite struct ConfigurationEdgeTests {
    @Test func anEmptyFileIsTheDefaults() throws {
        #expect(try SegdConfiguration.parse("") == SegdConfiguration())
        #expect(try SegdConfiguration.parse("# only a comment\n\n") == SegdConfiguration())
    }

    @Test func theHeaderLimitTakesSizesAndRefusesTinyOrHugeOnes() throws {
        #expect(try SegdConfiguration.parse("[ingest]\nmaxHeaderSize = \"2GiB\"\n").ingest.maxHeaderBytes == 2 << 30)
        #expect(try SegdConfiguration.parse("[ingest]\nmaxHeaderSize = 1048576\n").ingest.maxHeaderBytes == 1 << 20)
        for bad in ["\"4KiB\"", "\"5GiB\"", "\"lots\"", "true"] {
            let (c, d) = SegdConfiguration.read("[ingest]\nmaxHeaderSize = \(bad)\n")
            #expect(d.map(\.key) == ["ingest.maxHeaderSize"] && d.first?.message.contains("1 MiB to 4 GiB") == true, "\(bad)")
            #expect(c.ingest.maxHeaderBytes == 64 << 20)
        }
    }

    @Test func windowsLineEndingsAndAByteOrderMarkAreAccepted() throws {
        let c = try SegdConfiguration.parse("\u{FEFF}[processing]\r\nworkers = 3 # three\r\n")
        #expect(c.processing.workers == 3)
    }

    @Test func tablesOfTheWrongShapeAreReported() {
        let (_, d) = SegdConfiguration.read("""
            paths = "/x"
            watch = 1
            [[processing]]
            """)
        #expect(d.map(\.key) == ["paths", "watch", "processing"], "\(d)")
        #expect(d[0].message.contains("expected a table"))
        #expect(d[1].message.contains("[[watch]]"))
    }
}
