import Foundation
import Logging
import SegdCore
import Testing
@testable import SegDaemon

@Suite struct SchedulerQuarantineTests {
    static func quarantined(_ rig: SchedulerRig) throws -> (JobRecord, String) {
        let jobs = try rig.store.jobs(JobFilter(states: [.quarantined]))
        let job = try #require(jobs.first)
        #expect(jobs.count == 1)
        return (job, rig.spool.quarantineFolder(job.id))
    }

    @Test func anUnreadableFileGoesToQuarantineWithItsReasonAndRecord() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/notes.txt", "hello")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not a readable DICOM file: no preamble")
        let (job, folder) = try Self.quarantined(rig)
        #expect(job.files == 1 && job.errorCode == "unreadable" && job.finishedAt != nil && job.watch == rig.watch)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["notes.txt", "reason.txt", "job.json"])
        #expect(FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("notes.txt")) == Data("hello".utf8))
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.contains("not a readable DICOM file: no preamble") && reason.contains("original name: notes.txt"))
        let record = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("job.json")))) as? [String: Any])
        #expect(record["id"] as? String == job.id && record["state"] as? String == "quarantined")
        #expect(try rig.store.transitions(job.id).map(\.to) == [.quarantined])
        #expect(await rig.scheduler.metricsText().contains(#"segd_jobs_finished_total{outcome="quarantined",model=""} 1"#))
    }

    @Test func aHostileNameIsMadeSafeAndPrintedEscaped() async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/bad\nname.dcm", "x")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not DICOM")
        let (_, folder) = try Self.quarantined(rig)
        #expect(FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("bad_name.dcm")))
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.contains("original name: bad\\u{a}name.dcm"))
    }

    /// A dropped file named like segd's own files in a quarantine folder must not be overwritten by them.
    @Test(arguments: ["reason.txt", "job.json"])
    func aFileNamedLikeTheReasonOrRecordIsKept(_ name: String) async throws {
        let rig = try SchedulerRig(quietSeconds: 0)
        defer { rig.tmp.remove() }
        let path = try rig.tmp.file("in/\(name)", "the user's own bytes")
        await rig.scheduler.quarantineFile(path, watch: rig.watch, reason: "not DICOM")
        let (_, folder) = try Self.quarantined(rig)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 3, "\(names)")
        let kept = names.filter {
            FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent($0)) == Data("the user's own bytes".utf8)
        }
        #expect(kept.count == 1, "the input survives: \(names)")
        let reason = try String(contentsOfFile: (folder as NSString).appendingPathComponent("reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("not DICOM"))
    }
}
