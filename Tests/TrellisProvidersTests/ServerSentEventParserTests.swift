import Foundation
import Testing
import TrellisTestSupport
@testable import TrellisProviders

@Suite("Server-sent events")
struct ServerSentEventParserTests {
    @Test("events come out whole however the bytes are split, CRLF split across chunks included")
    func splitsAnywhere() {
        let text = "event: a\r\ndata: one\r\ndata: two\r\n\r\n: keep-alive\r\n\r\ndata:three\n\nevent: b\rdata: four\r\r"
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events == [
                ServerSentEvent(event: "a", data: "one\ntwo"),
                ServerSentEvent(event: "", data: "three"),
                ServerSentEvent(event: "b", data: "four"),
            ], "split at \(split)")
            #expect(!parser.hasPartialEvent)
        }
    }

    @Test("a stream that stops inside an event says so")
    func partialEvent() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: {\"a\":".utf8)).isEmpty)
        #expect(parser.hasPartialEvent)
        #expect(parser.feed(Array("1}\n".utf8)).isEmpty)
        #expect(parser.hasPartialEvent)
        #expect(parser.feed(Array("\n".utf8)) == [ServerSentEvent(data: "{\"a\":1}")])
        #expect(!parser.hasPartialEvent)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("which statuses are retried")
    func retryableStatuses() {
        for status in [408, 409, 429, 500, 502, 503, 529] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [400, 401, 403, 404, 422] { #expect(!RetryPolicy.isRetryable(status: status)) }
    }

    @Test("the server's wait wins: retry-after-ms, Retry-After seconds or date, capped at the longest wait")
    func serverRequestedWaits() {
        let policy = RetryPolicy(maxDelay: .seconds(8))
        #expect(policy.delay(afterAttempt: 1, headers: ["retry-after-ms": "250"]) == .milliseconds(250))
        #expect(policy.delay(afterAttempt: 1, headers: ["Retry-After": "2"]) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, headers: ["retry-after": "600"]) == .seconds(8))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(RetryPolicy.serverRequestedDelay(["retry-after": "Fri, 15 Jan 2027 08:00:03 GMT"], now: now) == .seconds(3))
    }

    @Test("backoff doubles from the first wait, with jitter, up to the cap")
    func backoff() {
        let policy = RetryPolicy(initialDelay: .milliseconds(400), maxDelay: .seconds(2))
        for _ in 0..<50 {
            let first = policy.delay(afterAttempt: 1, headers: [:])
            #expect(first >= .milliseconds(300) && first <= .milliseconds(500))
            let third = policy.delay(afterAttempt: 3, headers: [:])
            #expect(third >= .milliseconds(1200) && third <= .milliseconds(2000))
            let late = policy.delay(afterAttempt: 20, headers: [:])
            #expect(late <= .milliseconds(2500))
        }
    }
}
