import Dispatch
import Foundation
import Synchronization
import Testing
import TrellisEngine
import TrellisTestSupport
@testable import TrellisProviders

/// The event-loop HTTP client against real loopback servers, plain and TLS.
@Suite("HTTP client over loopback", .timeLimit(.minutes(5)))
struct HTTPClientTests {
    private func get(_ client: HTTPClient, _ url: String, timeout: Duration = .seconds(30)) async throws(HTTPError) -> (status: Int, body: String) {
        let (head, body) = try await client.send(HTTPRequest(url: url, method: "GET", timeout: timeout))
        return (head.status, String(decoding: body, as: UTF8.self))
    }

    @Test("a Content-Length body, and a POST body as the server received it")
    func plainBody() async throws {
        let server = try LoopbackHTTPServer { request, _ in .json(#"{"echo":"\#(request.body)"}"#) }
        defer { server.stop() }
        let client = HTTPClient()
        let (head, body) = try await client.send(HTTPRequest(url: server.baseURL + "/v1/x?y=1", headers: [("Content-Type", "application/json")],
                                                            body: Array("hello".utf8)))
        #expect(head.status == 200)
        #expect(head.headers["content-type"] == "application/json")
        #expect(String(decoding: body, as: UTF8.self) == #"{"echo":"hello"}"#)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/v1/x?y=1")
        #expect(request.headers["host"] == "127.0.0.1:\(server.port)")
        #expect(request.headers["content-length"] == "5")
        #expect(request.headers["accept-encoding"] == nil)
    }

    @Test("a chunked body arrives whole, in order")
    func chunkedBody() async throws {
        let pieces = (0..<20).map { "piece \($0) " + String(repeating: "x", count: $0 * 97) + "\n" }
        let server = try LoopbackHTTPServer { _, _ in
            var response = LoopbackHTTPServer.Response.json("")
            response.headers = ["Content-Type": "text/plain"]
            response.pieces = pieces.map { (.zero, $0) }
            return response
        }
        defer { server.stop() }
        let answer = try await get(HTTPClient(), server.baseURL + "/")
        #expect(answer.status == 200)
        #expect(answer.body == pieces.joined())
    }

    @Test("server-sent events reach the parser one by one while the stream is still open")
    func streamingInPieces() async throws {
        // The server holds the last event back until the client has parsed the first two:
        // a client that buffered the body would never see them, and the test would fail.
        let seen = DispatchSemaphore(value: 0)
        let heldBack = Mutex(false)
        let events = ["data: one\n\n", "data: two\n\n", "data: three\n\n"]
        let server = try LoopbackHTTPServer { _, _ in
            var response = LoopbackHTTPServer.Response.events(events)
            response.beforePiece = { index in
                // A long wait: in a full test run the cooperative pool, where the reader runs,
                // was seen starved for 55 s; a client that buffers fails here either way.
                if index == 2 { heldBack.withLock { $0 = seen.wait(timeout: .now() + 150) == .success } }
            }
            return response
        }
        defer { server.stop() }
        let (head, body) = try await HTTPClient().stream(HTTPRequest(url: server.baseURL + "/stream", method: "GET"))
        #expect(head.headers["content-type"] == "text/event-stream")
        var parser = ServerSentEventParser()
        var received: [String] = []
        for try await chunk in body {
            for event in parser.feed(chunk) {
                received.append(event.data)
                if received.count == 2 { seen.signal() }
            }
        }
        #expect(received == ["one", "two", "three"])
        #expect(heldBack.withLock { $0 }, "the first events did not arrive before the last was sent")
    }

    @Test("keep-alive: sequential requests share one connection; a server's close is noticed")
    func keepAliveReuse() async throws {
        let server = try LoopbackHTTPServer(keepAlive: true) { request, number in .json(#"{"n":\#(number)}"#) }
        defer { server.stop() }
        let client = HTTPClient()
        for number in 0..<5 {
            let answer = try await get(client, server.baseURL + "/\(number)")
            #expect(answer.body == #"{"n":\#(number)}"#)
        }
        #expect(server.requests.map(\.connection) == [0, 0, 0, 0, 0])
        // A server that closes after each answer gets a new connection for each request.
        let closing = try LoopbackHTTPServer { _, number in .json(#"{"n":\#(number)}"#) }
        defer { closing.stop() }
        for number in 0..<3 { #expect(try await get(client, closing.baseURL + "/").body == #"{"n":\#(number)}"#) }
        #expect(closing.requests.map(\.connection) == [0, 1, 2])
    }

    @Test("a server closing in the middle of a body is an error naming the server, not a short body")
    func closedMidBody() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            var response = LoopbackHTTPServer.Response.json(#"{"partial":"#)
            response.declaredLength = 100
            return response
        }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), server.baseURL + "/") }
        #expect(error?.description.contains("127.0.0.1:\(server.port) closed the connection before the end of the response") == true,
                "\(String(describing: error))")
        let chunked = try LoopbackHTTPServer { _, _ in .events(["data: a\n\n"], cut: true) }
        defer { chunked.stop() }
        await #expect(throws: HTTPError.self) { try await get(HTTPClient(), chunked.baseURL + "/") }
    }

    @Test("a request past its deadline fails as a timeout at the deadline")
    func deadline() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            var response = LoopbackHTTPServer.Response.json("{}")
            response.pieces[0].delay = .seconds(300)
            return response
        }
        defer { server.stop() }
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), server.baseURL + "/", timeout: .milliseconds(300)) }
        #expect(error == .timedOut(.milliseconds(300), server: "127.0.0.1:\(server.port)"))
        #expect(error?.isRetryable == true)
        // The error alone shows the deadline fired (the server would have answered 200). Far
        // below the server's 300 s; the margin is for a starved pool (44 s seen in a full run).
        #expect(clock.now - started < .seconds(150))
    }

    @Test("a refused connection and an unknown host are errors that say so and name the server")
    func refusedAndUnknown() async throws {
        let server = try LoopbackHTTPServer { _, _ in .json("{}") }
        let port = server.port
        server.stop()
        try await Task.sleep(for: .milliseconds(100))
        let refused = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), "http://127.0.0.1:\(port)/") }
        #expect(refused?.description == "connection failed: cannot connect to 127.0.0.1:\(port): connection refused")
        let unknown = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), "http://no-such-host.invalid/") }
        #expect(unknown?.description.contains("cannot resolve host 'no-such-host.invalid'") == true, "\(String(describing: unknown))")
        let invalid = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), "ftp://example.com/") }
        #expect(invalid == .invalidURL("ftp://example.com/"))
    }

    @Test("a header value with a line break is refused without showing the value")
    func headerInjection() async throws {
        let client = HTTPClient()
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:9/", headers: [("Authorization", "Bearer sk-SECRET\r\nX: y")]))
        }
        #expect(error?.description.contains("Authorization") == true)
        #expect(error?.description.contains("sk-SECRET") == false)
    }

    @Test("cancelling the caller ends the request at once")
    func cancellation() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            var response = LoopbackHTTPServer.Response.json("{}")
            response.pieces[0].delay = .seconds(300)
            return response
        }
        defer { server.stop() }
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/", method: "GET", timeout: .seconds(90))) }
        try await waitUntil(timeout: .seconds(150), "the request reached the server") { !server.requests.isEmpty }
        task.cancel()
        let error = await #expect(throws: HTTPError.self) { try await task.value }
        #expect(error == .cancelled)
    }

    @Test("TLS with a CA the client was told to trust: accepted, SNI and host name checked")
    func tlsTrusted() async throws {
        let authority = try await TestCertificateAuthority.shared()
        let server = try LoopbackHTTPServer(tls: authority.serverFiles, keepAlive: true) { request, _ in .json(#"{"path":"\#(request.path)"}"#) }
        defer { server.stop() }
        let client = HTTPClient(extraCAFile: authority.caFile)
        for _ in 0..<3 {
            let answer = try await get(client, "https://localhost:\(server.port)/secure")
            #expect(answer.status == 200)
            #expect(answer.body == #"{"path":"/secure"}"#)
        }
        #expect(server.requests.map(\.connection) == [0, 0, 0])
        #expect(server.requests.first?.headers["host"] == "localhost:\(server.port)")
        #expect(server.requests.first?.serverName == "localhost")
    }

    @Test("TLS to a name the certificate does not list is refused")
    func tlsWrongHost() async throws {
        let authority = try await TestCertificateAuthority.shared()
        let server = try LoopbackHTTPServer(tls: authority.serverFiles) { _, _ in .json("{}") }
        defer { server.stop() }
        // The certificate names localhost only, not the address.
        let error = await #expect(throws: HTTPError.self) { try await get(HTTPClient(extraCAFile: authority.caFile), "https://127.0.0.1:\(server.port)/") }
        #expect(error?.description.contains("the certificate of 127.0.0.1:\(server.port) is not accepted") == true, "\(String(describing: error))")
        #expect(error?.isRetryable == false)
        #expect(server.requests.isEmpty)
    }

    @Test("TLS with a certificate from an authority nobody trusts is refused")
    func tlsUntrusted() async throws {
        let authority = try await TestCertificateAuthority.shared()
        let server = try LoopbackHTTPServer(tls: authority.serverFiles) { _, _ in .json("{}") }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) { try await get(HTTPClient(), "https://localhost:\(server.port)/") }
        #expect(error?.description.contains("is not accepted") == true, "\(String(describing: error))")
        #expect(server.requests.isEmpty)
        let missing = await #expect(throws: HTTPError.self) { try await get(HTTPClient(extraCAFile: "/nonexistent/ca.pem"), "https://localhost:\(server.port)/") }
        #expect(missing?.description.contains("cannot load CA certificates from '/nonexistent/ca.pem'") == true, "\(String(describing: missing))")
    }

    @Test("a provider over HTTPS trusts its settings' extra CA file (llm.ca_file), and fails at once without it")
    func providerOverTLS() async throws {
        let authority = try await TestCertificateAuthority.shared()
        let server = try LoopbackHTTPServer(tls: authority.serverFiles) { _, _ in ProviderFixtures.plain(.openai, "Hello over TLS") }
        defer { server.stop() }
        var settings = ProviderSettings(kind: .openai, model: "m", baseURL: "https://localhost:\(server.port)/v1", apiKey: ProviderFixtures.key,
                                        retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)))
        let refused = await #expect(throws: ProviderError.self) { try await ProviderLLM(settings: settings).reply(to: ProviderLLMTests.conversation, onText: nil) }
        #expect(refused?.attempts == 1)  // a certificate does not change on a retry
        #expect(refused?.description.contains("is not accepted") == true, "\(String(describing: refused))")
        settings.extraCAFile = authority.caFile
        let reply = try await ProviderLLM(settings: settings).reply(to: ProviderLLMTests.conversation, onText: nil)
        #expect(reply.content == "Hello over TLS")
        #expect(server.requests.last?.headers["authorization"] == "Bearer " + ProviderFixtures.key)
    }

    @Test("many concurrent requests all complete, within the per-host connection limit")
    func concurrency() async throws {
        let server = try LoopbackHTTPServer(keepAlive: true) { request, _ in
            var response = LoopbackHTTPServer.Response.json(#"{"path":"\#(request.path)"}"#)
            response.pieces[0].delay = .milliseconds(20)
            return response
        }
        defer { server.stop() }
        let client = HTTPClient(maximumConnectionsPerHost: 8)
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask { (index, try await get(client, server.baseURL + "/\(index)").body) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(bodies.count == 200)
        #expect((0..<200).allSatisfy { bodies[$0] == #"{"path":"/\#($0)"}"# })
        #expect(Set(server.requests.map(\.connection)).count <= 8)
    }

    @Test("http_proxy and https_proxy tunnel through CONNECT, TLS inside the tunnel; a refused tunnel is an error")
    func proxyTunnel() async throws {
        let authority = try await TestCertificateAuthority.shared()
        let proxy = try LoopbackConnectProxy()
        defer { proxy.stop() }
        let plain = try LoopbackHTTPServer(keepAlive: true) { request, _ in .json(#"{"via":"\#(request.path)"}"#) }
        defer { plain.stop() }
        let secure = try LoopbackHTTPServer(tls: authority.serverFiles) { _, _ in .json(#"{"secure":true}"#) }
        defer { secure.stop() }
        let client = HTTPClient(extraCAFile: authority.caFile, environment: ["http_proxy": proxy.url, "HTTPS_PROXY": proxy.url])
        #expect(try await get(client, plain.baseURL + "/a").body == #"{"via":"/a"}"#)
        #expect(try await get(client, plain.baseURL + "/b").body == #"{"via":"/b"}"#)
        #expect(try await get(client, "https://localhost:\(secure.port)/").body == #"{"secure":true}"#)
        // One tunnel for both plain requests (kept alive), one for the TLS server.
        #expect(proxy.tunnels == ["127.0.0.1:\(plain.port)", "localhost:\(secure.port)"])
        let refusing = try LoopbackConnectProxy(refusal: 403)
        defer { refusing.stop() }
        let refused = HTTPClient(environment: ["http_proxy": refusing.url])
        let error = await #expect(throws: HTTPError.self) { try await get(refused, plain.baseURL + "/") }
        #expect(error == .proxy("the proxy 127.0.0.1:\(refusing.port) refused to tunnel to 127.0.0.1:\(plain.port): status 403"))
    }

    @Test("a proxy variable that applies sends the request through it; no_proxy exempts the host")
    func proxyRefusal() async throws {
        let server = try LoopbackHTTPServer { _, _ in .json(#"{"direct":true}"#) }
        defer { server.stop() }
        let dead = try LoopbackHTTPServer { _, _ in .json("{}") }
        let deadPort = dead.port
        dead.stop()
        try await Task.sleep(for: .milliseconds(100))
        let proxied = HTTPClient(environment: ["http_proxy": "http://127.0.0.1:\(deadPort)"])
        let error = await #expect(throws: HTTPError.self) { try await get(proxied, server.baseURL + "/") }
        #expect(error?.description.contains("cannot connect to the proxy 127.0.0.1:\(deadPort) for 127.0.0.1:\(server.port)") == true,
                "\(String(describing: error))")
        let exempt = HTTPClient(environment: ["http_proxy": "http://127.0.0.1:\(deadPort)", "no_proxy": "localhost,127.0.0.1"])
        #expect(try await get(exempt, server.baseURL + "/").body == #"{"direct":true}"#)
        let unusable = HTTPClient(environment: ["https_proxy": "https://proxy.example:443"])
        let refused = await #expect(throws: HTTPError.self) { try await get(unusable, "https://localhost:1/") }
        #expect(refused?.description.contains("https_proxy names an https:// proxy") == true, "\(String(describing: refused))")
    }
}

/// The response parser fed one byte at a time and all at once: framing must not depend on how
/// reads split.
@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    private func parse(_ text: String, method: String = "GET", closeAtEnd: Bool = false) throws -> (head: HTTPResponseHead?, body: String, ended: Bool) {
        let whole = try parse(text, pieceSize: text.utf8.count, method: method, closeAtEnd: closeAtEnd)
        let bytewise = try parse(text, pieceSize: 1, method: method, closeAtEnd: closeAtEnd)
        #expect(whole.head == bytewise.head && whole.body == bytewise.body && whole.ended == bytewise.ended)
        return whole
    }

    private func parse(_ text: String, pieceSize: Int, method: String, closeAtEnd: Bool) throws -> (head: HTTPResponseHead?, body: String, ended: Bool) {
        var parser = HTTPResponseParser(method: method)
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var ended = false
        var events: [HTTPResponseParser.Event] = []
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let piece = Array(bytes.prefix(pieceSize))
            bytes = bytes.dropFirst(pieceSize)
            events += try piece.withUnsafeBytes { raw in Result { () throws(HTTPResponseParser.Malformed) in try parser.feed(raw) } }.get()
        }
        if closeAtEnd, let end = parser.connectionClosed() { events.append(end) }
        for event in events {
            switch event {
            case .head(let value): head = value
            case .body(let bytes): body += bytes
            case .end: ended = true
            }
        }
        return (head, String(decoding: body, as: UTF8.self), ended)
    }

    @Test("chunked with extensions and trailers, split at every byte")
    func chunked() throws {
        let result = try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n")
        #expect(result.head?.status == 200)
        #expect(result.head?.headers["x-a"] == "1, 2")
        #expect(result.body == "hello world")
        #expect(result.ended)
    }

    @Test("interim 100 Continue is skipped; Content-Length frames the body; HEAD has none")
    func framing() throws {
        let result = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabc")
        #expect(result.head?.status == 201 && result.body == "abc" && result.ended)
        let head = try parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", method: "HEAD")
        #expect(head.ended && head.body.isEmpty)
        let untilClose = try parse("HTTP/1.0 200 OK\r\n\r\nto the end", closeAtEnd: true)
        #expect(untilClose.body == "to the end" && untilClose.ended)
    }

    @Test("malformed answers are refused")
    func malformed() {
        #expect(throws: HTTPResponseParser.Malformed.self) { try parse("SSH-2.0-OpenSSH\r\n\r\n") }
        #expect(throws: HTTPResponseParser.Malformed.self) { try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }
        #expect(throws: HTTPResponseParser.Malformed.self) { try parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") }
    }
}
