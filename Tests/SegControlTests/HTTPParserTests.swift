import Foundation
@testable import SegControl
import Testing

@Suite("HTTP framing")
struct HTTPParserTests {
    func parse(_ text: String, limits: ControlLimits = .request) throws(ControlError) -> [HTTPRequest] {
        var p = HTTPParser(kind: .request, limits: limits)
        p.append(Array(text.utf8))
        var out: [HTTPRequest] = []
        while let r = try p.nextRequest() { out.append(r) }
        return out
    }

    func error(_ text: String, limits: ControlLimits = .request) -> ControlError.Code? {
        do { _ = try parse(text, limits: limits); return nil } catch { return error.code }
    }

    @Test func goodRequestWithBody() throws {
        let r = try #require(try parse("POST /v1/jobs?x=a%20b+c HTTP/1.1\r\nHost: segd\r\nContent-Length: 4\r\n\r\n{}\r\n").first)
        #expect(r.method == "POST" && r.path == "/v1/jobs" && r.body == Data("{}\r\n".utf8))
        #expect(r.headers["host"] == "segd" && r.keepAlive)
        #expect(try r.queryItems().map { "\($0.0)=\($0.1)" } == ["x=a b c"])
    }

    @Test func arrivesByteByByte() throws {
        var p = HTTPParser(kind: .request, limits: .request)
        let text = Array("GET /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)
        var got: HTTPRequest?
        for (i, b) in text.enumerated() {
            p.append([b])
            got = try p.nextRequest()
            if i < text.count - 1 { #expect(got == nil) }
        }
        #expect(got?.path == "/v1/status" && got?.keepAlive == false && !p.hasPartialMessage)
    }

    @Test func pipelinedRequestsComeOutOneByOne() throws {
        let rs = try parse("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.0\r\n\r\n")
        #expect(rs.map(\.path) == ["/a", "/b", "/c"])
        #expect(rs[1].body == Data("hi".utf8) && rs[2].keepAlive == false)
    }

    @Test func malformedInputIsRefused() {
        #expect(error("\u{01}\u{02}garbage\r\n\r\n") == .badRequest)
        #expect(error("GET /v1/status\r\n\r\n") == .badRequest)
        #expect(error("get /v1/status HTTP/1.1\r\n\r\n") == .badRequest)
        #expect(error("GET v1/status HTTP/1.1\r\n\r\n") == .badRequest)
        #expect(error("GET /v1/status HTTP/2\r\n\r\n") == .badRequest)
        #expect(error("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == .badRequest)
        #expect(error("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n") == .badRequest)
        #expect(error("GET / HTTP/1.1\r\nNoColon\r\n\r\n") == .badRequest)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == .badRequest)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n") == .badRequest)
        #expect(error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .lengthRequired)
    }

    @Test func limitsAreEnforcedBeforeBuffering() {
        let small = ControlLimits(maxHeaderBytes: 64, maxHeaderCount: 2, maxBodyBytes: 10)
        #expect(error("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), limits: small) == .headersTooLarge)
        #expect(error("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: small) == .headersTooLarge)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits: small) == .payloadTooLarge)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n") == .badRequest)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits: small) == nil)
    }

    @Test func incompleteBodyWaits() throws {
        var p = HTTPParser(kind: .request, limits: .request)
        p.append(Array("POST /v1/jobs HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nab".utf8))
        #expect(try p.nextRequest() == nil)
        #expect(p.pendingHead?.headers["expect"] == "100-continue" && p.hasPartialMessage)
        p.append(Array("cde".utf8))
        #expect(try p.nextRequest()?.body == Data("abcde".utf8))
    }

    @Test func responsesRoundTrip() throws {
        var r = HTTPResponse.error(ControlError(.notFound, "no job j-1"))
        r.headers.set("Segd-Protocol", "1")
        var p = HTTPParser(kind: .response, limits: .response)
        p.append(Array(r.serialized()))
        let back = try #require(try p.nextResponse())
        #expect(back.status == 404 && back.headers["segd-protocol"] == "1")
        #expect(try ControlJSON.decoder().decode(ControlErrorBody.self, from: back.body).code == "not-found")
    }

    @Test func requestSerialisationParsesBack() throws {
        let target = HTTPRequest.target("/v1/jobs", query: [("model", "a b&c"), ("state", "done")])
        let req = HTTPRequest(method: "POST", target: target, body: Data("{}".utf8))
        var p = HTTPParser(kind: .request, limits: .request)
        p.append(Array(req.serialized()))
        let back = try #require(try p.nextRequest())
        #expect(back.body == Data("{}".utf8) && back.headers["content-length"] == "2")
        #expect(try back.queryItems().map(\.1) == ["a b&c", "done"])
    }
}
