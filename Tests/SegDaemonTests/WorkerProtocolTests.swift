import Foundation
import SegdCore
import Testing
@testable import SegDaemon

@Suite struct WorkerProtocolTests {
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    static func canonical<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    @Test func specRoundTrips() throws {
        let spec = WorkerSpec(jobID: "j-20250101-000000-abcdef", inputs: ["/spool/j-1", "/archive/j-0"],
                              seriesUID: "1.2.840.1", output: "/out", threads: 4, pluginDirectories: ["/p"],
                              softwareVersion: "segd 0.1", parentPID: 1234)
        #expect(try Self.roundTrip(spec) == spec)
    }

    @Test func commandsRoundTripAndReadAsDocumented() throws {
        let models = WorkerCommand(.models, models: [WorkerModel(id: "liver", bundle: "/m/liver", stem: "liver-abc-j-1")])
        #expect(try Self.roundTrip(models) == models)
        #expect(try Self.roundTrip(WorkerCommand(.go)) == WorkerCommand(.go))
        #expect(try Self.canonical(WorkerCommand(.go)) == #"{"cmd":"go"}"#)
        #expect(try Self.canonical(WorkerCommand(.stop)) == #"{"cmd":"stop"}"#)
        #expect(try JSONDecoder().decode(WorkerCommand.self, from: Data(#"{"cmd":"stop"}"#.utf8)) == WorkerCommand(.stop))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(WorkerCommand.self, from: Data(#"{"cmd":"launch"}"#.utf8)) }
    }

    @Test func messagesRoundTrip() throws {
        var series = WorkerMessage(.series)
        series.facts = ["Modality": "CT", "plane": "axial"]
        series.modality = "CT"
        series.slices = 28
        var plan = WorkerMessage(.plan)
        plan.bytes = 123_456_789
        var stage = WorkerMessage(.stageDone)
        stage.stage = "inference"
        stage.seconds = 12.25
        var progress = WorkerMessage(.progress)
        progress.stage = "inference"
        progress.done = 3
        progress.total = 12
        for m in [series, plan, stage, progress, .failure(JobFailure(.transient, reason: "disk full"), code: "io")] {
            let back = try Self.roundTrip(m)
            #expect(try Self.canonical(back) == Self.canonical(m))
            #expect(back.event == m.event)
        }
        let decoded = try JSONDecoder().decode(WorkerMessage.self, from: Data(#"{"event":"plan","bytes":123}"#.utf8))
        #expect(decoded.event == .plan && decoded.bytes == 123 && decoded.stage == nil)
        #expect(try Self.canonical(plan) == #"{"bytes":123456789,"event":"plan"}"#, "absent fields are left out")
    }

    @Test func failureMapsClassAndQuarantine() {
        let transient = WorkerMessage.failure(JobFailure(.transient, reason: "disk full"), code: "io")
        #expect(transient.event == .error && transient.code == "io" && transient.message == "disk full")
        #expect(transient.transient == true && transient.quarantine == false)

        let bad = WorkerMessage.failure(JobFailure(.permanent, quarantine: true, reason: "not an image"), code: "dicom")
        #expect(bad.transient == false && bad.quarantine == true && bad.message == "not an image")

        let broken = WorkerMessage.failure(JobFailure(.permanent, reason: "bundle invalid"), code: "model")
        #expect(broken.transient == false && broken.quarantine == false)

        // A transient failure is never the input's fault: quarantine is dropped.
        let odd = WorkerMessage.failure(JobFailure(.transient, quarantine: true, reason: "x"), code: "x")
        #expect(odd.transient == true && odd.quarantine == false)

        // The classifier's verdicts survive the trip through the worker's stdout.
        let crash = WorkerMessage.failure(FailureClassifier.classify(workerSignal: SIGSEGV), code: "worker-signal")
        #expect(crash.transient == false && crash.quarantine == true)
    }
}
