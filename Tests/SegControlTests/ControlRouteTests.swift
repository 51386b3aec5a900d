import Foundation
import SegControl
import Testing

@Suite("Control routes and DTOs")
struct ControlRouteTests {
    static let all: [ControlRoute] = [.status, .version, .jobs, .submit, .job("j-1"), .preview("j-1"), .cancel("j-1"),
                                      .retry("j-1"), .pause, .resume, .models, .plugins, .reload, .rulesTest, .metrics]

    @Test func everyRouteResolvesFromItsOwnMethodAndPath() throws {
        for route in Self.all {
            #expect(try ControlRoute.resolve(method: route.method, path: route.path) == route)
        }
        #expect(Set(Self.all.map(\.command)).count == Self.all.count)
    }

    func code(_ method: String, _ path: String) -> ControlError.Code? {
        do { _ = try ControlRoute.resolve(method: method, path: path); return nil } catch { return error.code }
    }

    @Test func unknownPathsWrongMethodsAndBadIDs() {
        #expect(code("GET", "/v1/nope") == .unknownCommand)
        #expect(code("GET", "/v2/status") == .unknownCommand)
        #expect(code("GET", "/v1/jobs/j-1/explode") == .unknownCommand)
        #expect(code("GET", "/v1/status/") == .unknownCommand)
        #expect(code("POST", "/v1/status") == .methodNotAllowed)
        #expect(code("DELETE", "/v1/jobs") == .methodNotAllowed)
        #expect(code("GET", "/v1/jobs/j-1/cancel") == .methodNotAllowed)
        #expect(code("GET", "/v1/jobs/..%2Fetc") == .badRequest)
        #expect(code("GET", "/v1/jobs/" + String(repeating: "a", count: 65)) == .badRequest)
        #expect(code("GET", "/v1/jobs/") == .badRequest)
    }

    @Test func jobQueryRoundTripsThroughQueryItems() throws {
        let q = JobQuery(state: "failed", model: "liver ct", since: Date(timeIntervalSince1970: 1_795_000_000), limit: 7)
        #expect(try JobQuery(queryItems: q.queryItems) == q)
        #expect(throws: ControlError.self) { try JobQuery(queryItems: [("state", "sleeping")]) }
        #expect(throws: ControlError.self) { try JobQuery(queryItems: [("limit", "0")]) }
        #expect(throws: ControlError.self) { try JobQuery(queryItems: [("since", "yesterday")]) }
        #expect(throws: ControlError.self) { try JobQuery(queryItems: [("colour", "red")]) }
    }

    @Test func jobDetailIsFlatInJSON() throws {
        let t = Date(timeIntervalSince1970: 1_795_000_000)
        let job = JobInfo(id: "j-1", state: "done", watch: "/in", seriesHash: "0123456789ab", models: ["liver"],
                          createdAt: t, updatedAt: t, finishedAt: t, outputs: ["seg": "/out/a.seg.dcm"])
        let d = JobDetail(job: job, transitions: [.init(at: t, from: "running", to: "done")],
                          stages: [.init(stage: "write", seconds: 0.25, attempt: 1)], routing: ["r"], inputDir: "/spool/j-1")
        let data = try ControlJSON.encode(d)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["id"] as? String == "j-1" && object["inputDir"] as? String == "/spool/j-1")
        #expect(object["createdAt"] as? String == "2026-11-18T11:06:40Z")
        #expect(try ControlJSON.decoder().decode(JobDetail.self, from: data) == d)
    }

    @Test func sinceAcceptsISOAndRelativeAges() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(HumanFormat.parseSince("2h", now: now) == now.addingTimeInterval(-7200))
        #expect(HumanFormat.parseSince("30m", now: now) == now.addingTimeInterval(-1800))
        #expect(HumanFormat.parseSince("1d", now: now) == now.addingTimeInterval(-86400))
        #expect(HumanFormat.parseSince("2026-11-18T11:06:40Z", now: now) == now)
        #expect(HumanFormat.parseSince("2026-11-18T11:06:40.500Z", now: now) == now.addingTimeInterval(0.5))
        #expect(HumanFormat.parseSince("2026-11-18", now: now) == Date(timeIntervalSince1970: 1_795_000_000 - 40000))
        for bad in ["", "h", "2x", "-2h", "soon", "2026-13-01"] { #expect(HumanFormat.parseSince(bad, now: now) == nil) }
    }

    @Test func humanDurationsAndAges() {
        #expect(HumanFormat.duration(3.25) == "3.2s" || HumanFormat.duration(3.25) == "3.3s")
        #expect(HumanFormat.duration(192) == "3m12s")
        #expect(HumanFormat.duration(7500) == "2h05m")
        #expect(HumanFormat.age(of: Date(timeIntervalSince1970: 0), now: Date(timeIntervalSince1970: 300)) == "5m ago")
        #expect(HumanFormat.bytes(1 << 30) == "1.0 GiB")
    }

    @Test func errorStatusesAndMismatchMessage() {
        #expect(ControlError(.forbidden, "").httpStatus == 403)
        #expect(ControlError(.payloadTooLarge, "").httpStatus == 413)
        let m = ControlError.versionMismatch(client: 2, daemon: 1)
        #expect(m.code == .versionMismatch && m.message.contains("protocol 2") && m.message.contains("protocol 1"))
    }
}
