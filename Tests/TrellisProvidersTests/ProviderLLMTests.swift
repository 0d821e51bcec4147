import Foundation
import Synchronization
import Testing
import TrellisTestSupport
import TrellisEngine
@testable import TrellisProviders

/// Each provider's protocol against a real HTTP server on loopback.
@Suite("Provider adapters over loopback HTTP", .timeLimit(.minutes(1)))
struct ProviderLLMTests {
    static let conversation = Conversation(system: "Be brief.", messages: [.map(["role": .string("user"), "content": .string("Hi")])],
                                           model: "test-model")

    @Test("a plain answer: text, usage, the provider's path and authentication header", arguments: ProviderKind.allCases)
    func plainAnswer(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.plain(kind, "Hello there") }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let reply = try await adapter.reply(to: Self.conversation, onText: nil)
        #expect(reply.content == "Hello there")
        #expect(reply.usage == LLMUsage(input: 11, output: 7))
        let request = try #require(server.requests.first)
        switch kind {
        case .openai:
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer " + ProviderFixtures.key)
            #expect(request.body.contains(#""role":"system""#))
        case .anthropic:
            #expect(request.path == "/v1/messages")
            #expect(request.headers["x-api-key"] == ProviderFixtures.key)
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.body.contains(#""system":"Be brief.""#) && request.body.contains(#""max_tokens""#))
        case .gemini:
            #expect(request.path == "/v1beta/models/test-model:generateContent")
            #expect(request.headers["x-goog-api-key"] == ProviderFixtures.key)
            #expect(request.body.contains(#""systemInstruction""#))
        }
    }

    @Test("a streamed answer arrives in pieces whose concatenation is the reply", arguments: ProviderKind.allCases)
    func streamedAnswer(kind: ProviderKind) async throws {
        let pieces = ["Once", " upon", " a", " time", "."]
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.streamed(kind, pieces) }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let received = Mutex<[String]>([])
        let reply = try await adapter.reply(to: Self.conversation) { piece in received.withLock { $0.append(piece) } }
        #expect(received.withLock { $0 } == pieces)
        #expect(reply.content == pieces.joined())
        #expect(reply.usage == LLMUsage(input: 11, output: 7))
        if kind == .gemini { #expect(server.requests.first?.path == "/v1beta/models/test-model:streamGenerateContent?alt=sse") }
        #expect(server.requests.first?.body.contains(#""stream":true"#) == (kind != .gemini))
    }

    @Test("streamed tool-call arguments are assembled before they are handed on", arguments: ProviderKind.allCases)
    func streamedToolCall(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.streamedToolCall(kind) }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let reply = try await adapter.reply(to: Self.conversation) { _ in }
        #expect(reply.content == "")
        let call = try #require(reply.toolCalls.first)
        #expect(call["name"] == .string("get_weather"))
        #expect(call["arguments"] == .map(["city": .string("Paris"), "days": .integer(2)]))
        #expect(call["id"]?.string?.isEmpty == false)
    }

    @Test("a tool round trip is sent back in the provider's own format", arguments: ProviderKind.allCases)
    func toolResultsInProviderFormat(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.plain(kind, "It is sunny.") }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let call = ToolCallForm.make(id: "call_7", name: "get_weather", arguments: .map(["city": .string("Paris")]))
        let conversation = Conversation(messages: [
            .map(["role": .string("user"), "content": .string("Weather in Paris?")]),
            .map(["role": .string("assistant"), "content": .string(""), "tool_calls": .list([call])]),
            .map(["role": .string("tool"), "tool_call_id": .string("call_7"), "name": .string("get_weather"), "content": .string("sunny, 21 C")]),
        ], tools: [.map(["name": .string("get_weather"), "description": .string("Weather by city"),
                         "parameters": .map(["type": .string("object")])])], model: "test-model")
        let reply = try await adapter.reply(to: conversation, onText: nil)
        #expect(reply.content == "It is sunny.")
        let body = try ContextValue(jsonText: try #require(server.requests.first).body)
        switch kind {
        case .openai:
            let messages = body["messages"]?.list ?? []
            #expect(messages[1]["tool_calls"]?.list?.first?["function"]?["arguments"] == .string(#"{"city":"Paris"}"#))
            #expect(messages[2] == .map(["role": .string("tool"), "tool_call_id": .string("call_7"), "content": .string("sunny, 21 C")]))
            #expect(body["tools"]?.list?.first?["function"]?["name"] == .string("get_weather"))
        case .anthropic:
            let messages = body["messages"]?.list ?? []
            #expect(messages[1]["content"]?.list?.first?["type"] == .string("tool_use"))
            #expect(messages[2]["role"] == .string("user"))
            #expect(messages[2]["content"]?.list?.first?["tool_use_id"] == .string("call_7"))
            #expect(body["tools"]?.list?.first?["input_schema"] != nil)
        case .gemini:
            let contents = body["contents"]?.list ?? []
            #expect(contents[1]["role"] == .string("model"))
            #expect(contents[1]["parts"]?.list?.first?["functionCall"]?["name"] == .string("get_weather"))
            #expect(contents[2]["parts"]?.list?.first?["functionResponse"]?["name"] == .string("get_weather"))
        }
    }

    @Test("429 with Retry-After, then success: one retry after the server's wait", arguments: ProviderKind.allCases)
    func rateLimitedThenSuccess(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, number in
            number == 0 ? ProviderFixtures.error(kind, status: 429, message: "slow down", headers: ["Retry-After": "0.2"])
                : ProviderFixtures.plain(kind, "ok")
        }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let clock = ContinuousClock()
        let started = clock.now
        let reply = try await adapter.reply(to: Self.conversation, onText: nil)
        #expect(reply.content == "ok")
        #expect(server.requests.count == 2)
        #expect(clock.now - started >= .milliseconds(200))
    }

    @Test("500, then success on the next attempt", arguments: ProviderKind.allCases)
    func serverErrorThenSuccess(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, number in
            number == 0 ? ProviderFixtures.error(kind, status: 500, message: "overloaded") : ProviderFixtures.streamed(kind, ["fine"])
        }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let reply = try await adapter.reply(to: Self.conversation) { _ in }
        #expect(reply.content == "fine")
        #expect(server.requests.count == 2)
    }

    @Test("401 fails at once with the provider's message and never the key", arguments: ProviderKind.allCases)
    func unauthorizedFailsAtOnce(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in
            ProviderFixtures.error(kind, status: 401, message: "Incorrect API key provided: \(ProviderFixtures.key)")
        }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let error = await #expect(throws: ProviderError.self) { try await adapter.reply(to: Self.conversation, onText: nil) }
        #expect(server.requests.count == 1)
        #expect(error?.status == 401)
        let text = error?.description ?? ""
        #expect(text.contains("Incorrect API key provided"))
        #expect(!text.contains(ProviderFixtures.key))
        #expect(!String(describing: adapter.settings).contains(ProviderFixtures.key))
    }

    @Test("an answer slower than the timeout fails as a timeout after the retries", arguments: [ProviderKind.openai])
    func slowerThanTimeout(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in
            var response = ProviderFixtures.plain(kind, "late")
            response.pieces[0].delay = .seconds(120)
            return response
        }
        defer { server.stop() }
        let settings = ProviderFixtures.settings(kind, server, timeout: .milliseconds(300),
                                                 retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ProviderError.self) { try await ProviderLLM(settings: settings).reply(to: Self.conversation, onText: nil) }
        #expect(error?.description.contains("within 300 ms") == true, "\(String(describing: error))")
        #expect(error?.attempts == 2)
        // Far below the server's 120 s: no answer was waited for. The margin is for a machine
        // whose cooperative pool other tests keep busy (seen: 22 s under the thread sanitizer).
        #expect(clock.now - started < .seconds(45))
    }

    @Test("a stream cut mid-way is an error, not a short answer", arguments: ProviderKind.allCases)
    func cutStream(kind: ProviderKind) async throws {
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.streamed(kind, ["Half", " an"], cut: true) }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(kind, server))
        let received = Mutex<[String]>([])
        let error = await #expect(throws: ProviderError.self) {
            try await adapter.reply(to: Self.conversation) { piece in received.withLock { $0.append(piece) } }
        }
        #expect(error != nil)
        // Text already shown is never shown twice: no retry once a piece was relayed.
        #expect(server.requests.count == 1)
    }

    @Test("cancelling the caller cancels the request")
    func cancellation() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            var response = ProviderFixtures.plain(.openai, "late")
            response.pieces[0].delay = .seconds(120)
            return response
        }
        defer { server.stop() }
        let adapter = ProviderLLM(settings: ProviderFixtures.settings(.openai, server))
        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { try await adapter.reply(to: Self.conversation, onText: nil) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: ProviderError.self) { try await task.value }
        #expect(clock.now - started < .seconds(45))
    }

    @Test("a refused connection is retried, then reported")
    func refusedConnection() async throws {
        let server = try LoopbackHTTPServer { _, _ in ProviderFixtures.plain(.openai, "x") }
        let base = server.baseURL
        server.stop()
        let settings = ProviderSettings(kind: .openai, model: "m", baseURL: base + "/v1", retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        let error = await #expect(throws: ProviderError.self) { try await ProviderLLM(settings: settings).reply(to: Self.conversation, onText: nil) }
        #expect(error?.attempts == 2)
        #expect(error?.status == nil)
    }
}

@Suite("Provider discovery", .timeLimit(.minutes(1)))
struct ProviderDiscoveryTests {
    @Test("a key in the environment picks its provider; an empty key does not count")
    func keyInEnvironment() async {
        let found = ProviderDiscovery(environment: ["OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": "sk-ant-x"], localServers: []).providerWithKey()
        #expect(found?.kind == .anthropic)
        #expect(found?.apiKey == "sk-ant-x")
        #expect(ProviderDiscovery(environment: [:], localServers: []).providerWithKey() == nil)
    }

    @Test("a local OpenAI-compatible server that lists a model is used with that model; a silent port is skipped")
    func localServer() async throws {
        let server = try LoopbackHTTPServer { request, _ in
            request.path == "/v1/models" ? .json(#"{"object":"list","data":[{"id":"llama3.2:3b","object":"model"}]}"#) : .json("{}", status: 404)
        }
        defer { server.stop() }
        let closed = try LoopbackHTTPServer { _, _ in .json("{}") }
        let closedURL = closed.baseURL
        closed.stop()
        let discovery = ProviderDiscovery(environment: [:], localServers: [
            .init(name: "closed", baseURL: closedURL + "/v1"), .init(name: "test", baseURL: server.baseURL + "/v1"),
        ])
        let found = await discovery.discover()
        #expect(found?.kind == .openai)
        #expect(found?.model == "llama3.2:3b")
        #expect(found?.baseURL == server.baseURL + "/v1")
        #expect(found?.apiKey == nil)
    }

    @Test("nothing configured and nothing listening: nothing is found")
    func nothing() async throws {
        let closed = try LoopbackHTTPServer { _, _ in .json("{}") }
        let closedURL = closed.baseURL
        closed.stop()
        #expect(await ProviderDiscovery(environment: [:], localServers: [.init(name: "x", baseURL: closedURL)]).discover() == nil)
    }

    @Test("the provider a model name implies")
    func inferred() {
        #expect(ProviderKind.inferred(fromModel: "gpt-5.4") == .openai)
        #expect(ProviderKind.inferred(fromModel: "o3-mini") == .openai)
        #expect(ProviderKind.inferred(fromModel: "claude-opus-4-6") == .anthropic)
        #expect(ProviderKind.inferred(fromModel: "gemini-3-pro") == .gemini)
        #expect(ProviderKind.inferred(fromModel: "llama3") == nil)
        #expect(ProviderKind.inferred(fromModel: "omni") == nil)
    }
}
