/// Seeded, mutation-based HTTP/1.1 frames for fuzzing the control socket: valid requests of every route, then
/// bit flips, truncations, insertions, hostile header values, splices and plain noise. The same seed gives the
/// same frames, so a failure can be replayed (the tests print the seed and the frame's index).
public struct FrameFuzzer {
    private var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Requests of every route (admin routes included; `rulesTest` only when asked: it scans a folder).
    public static func seeds(folder: String, rulesTest: Bool) -> [String] {
        var requests = [
            "GET /v1/status HTTP/1.1\r\nHost: segd\r\n\r\n",
            "GET /v1/version HTTP/1.1\r\nSegd-Protocol: 1\r\n\r\n",
            "GET /v1/jobs?state=failed&model=demo&since=2026-01-01T00:00:00Z&limit=5 HTTP/1.1\r\n\r\n",
            "GET /v1/jobs/j-20260101-000000-abcd HTTP/1.1\r\nConnection: close\r\n\r\n",
            "GET /v1/jobs/j-20260101-000000-abcd/preview HTTP/1.1\r\n\r\n",
            "POST /v1/jobs/j-20260101-000000-abcd/cancel HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "POST /v1/jobs/j-20260101-000000-abcd/retry HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "POST /v1/ingest/pause HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "POST /v1/ingest/resume HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "GET /v1/models HTTP/1.1\r\n\r\n",
            "GET /v1/plugins HTTP/1.1\r\n\r\n",
            "POST /v1/reload HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "GET /v1/metrics HTTP/1.1\r\nAccept: text/plain\r\n\r\n",
        ]
        let submit = "{\"path\": \"\(folder)/nothing-here\", \"model\": \"none\"}"
        requests.append("POST /v1/jobs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(submit.utf8.count)\r\n\r\n\(submit)")
        if rulesTest {
            let body = "{\"path\": \"\(folder)/nothing-here\"}"
            requests.append("POST /v1/rules/test HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        return requests
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { rng.next() }

    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One frame: a mutation of one of `seeds`.
    public mutating func frame(from seeds: [String]) -> [UInt8] {
        var bytes = Array(seeds[below(seeds.count)].utf8)
        switch below(8) {
        case 0:  // flip bits
            for _ in 0...below(8) where !bytes.isEmpty { bytes[below(bytes.count)] ^= UInt8(1 << below(8)) }
        case 1:  // truncate
            bytes = Array(bytes.prefix(below(bytes.count + 1)))
        case 2:  // insert random bytes
            let at = below(bytes.count + 1)
            bytes.insert(contentsOf: (0..<1 + below(64)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
        case 3:  // a hostile header after the request line
            let values = ["Content-Length: -1", "Content-Length: 18446744073709551616", "Content-Length: 12abc",
                          "Content-Length: 5\r\nContent-Length: 7", "Transfer-Encoding: chunked", "Segd-Protocol: 999",
                          "Segd-Protocol: ", "X: \u{0}\u{7f}\u{1b}[2J", "Connection: keep-alive, close, upgrade",
                          String(repeating: "H", count: 9000) + ": v", "Content-Length: 4096"]
            if let end = bytes.firstIndex(of: 10) {
                bytes.insert(contentsOf: Array((values[below(values.count)] + "\r\n").utf8), at: end + 1)
            }
        case 4:  // splice two requests
            let other = Array(seeds[below(seeds.count)].utf8)
            bytes = Array(bytes.prefix(below(bytes.count + 1))) + other.suffix(below(other.count + 1))
        case 5:  // noise
            bytes = (0..<below(2048)).map { _ in UInt8(truncatingIfNeeded: next()) }
        case 6:  // a hostile path or query
            let paths = ["/v1/jobs/../../etc/passwd", "/v1/jobs/%00", "/v1/jobs?limit=-1", "/v1/jobs?limit=99999999999999999999",
                         "/v1/jobs?since=yesterday", "/v1/jobs/" + String(repeating: "a", count: 5000), "*", "/v1//status",
                         "/v1/jobs/\u{ff}\u{fe}", "http://segd/v1/status", "/v1/jobs?state=&state=done"]
            bytes = Array("GET \(paths[below(paths.count)]) HTTP/1.1\r\n\r\n".utf8)
        default:  // a hostile JSON body
            let bodies = ["{", "[]", "null", "{\"path\": 7}", "{\"path\": \"relative/x\"}", "{\"path\": \"\"}",
                          "{\"path\": \"/\u{0}x\"}", String(repeating: "[", count: 10_000), "{\"path\": \"/x\", \"model\": {}}"]
            let body = bodies[below(bodies.count)]
            let route = ["/v1/jobs", "/v1/jobs/j-1/cancel", "/v1/ingest/pause"][below(3)]
            bytes = Array("POST \(route) HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        return bytes
    }
}
