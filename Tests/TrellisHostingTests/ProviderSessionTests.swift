import Foundation
import Synchronization
import Testing
import TrellisEngine
import TrellisProviders
import TrellisSession
import TrellisTestSupport

/// A session on a real provider's protocol survives the provider's failures.
@Suite(.timeLimit(.minutes(1))) struct ProviderSessionTests {
    static let key = "sk-session-SECRET-9"

    @Test("401 fails the turn with the provider's message (never the key); the next turn works and streams")
    func sessionSurvivesProviderFailures() async throws {
        let server = try LoopbackHTTPServer { _, number in
            if number == 0 {
                return .json(#"{"error":{"message":"Incorrect API key provided: \#(Self.key)","type":"invalid_request_error"}}"#, status: 401)
            }
            return .events([
                #"data: {"choices":[{"index":0,"delta":{"content":"Back "}}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"content":"again."}}]}"# + "\n\n",
                "data: [DONE]\n\n",
            ])
        }
        defer { server.stop() }
        let events = SessionEventBus()
        let deltas = Mutex<[String]>([])
        _ = events.subscribe { event in
            if event.kind == "llm_delta", let text = event.fields["text"]?.string { deltas.withLock { $0.append(text) } }
        }
        let llm = ProviderLLM(settings: ProviderSettings(kind: .openai, model: "m", baseURL: server.baseURL + "/v1", apiKey: Self.key))
        let graphs = try SessionGraphs(
            turn: SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "turn.dot", registry: SessionHandlers.registry),
            heartbeat: nil)
        let session = try Session(
            configuration: SessionConfiguration(), graphs: graphs,
            adapters: SessionAdapters(set: AdapterSet(llm: llm, memory: InMemoryMemory())),
            heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)), events: events)
        do {
            _ = try await session.send("hello")
            Issue.record("the first turn should fail")
        } catch {
            #expect(error.description.contains("openai answered 401: Incorrect API key provided: [redacted]"), "\(error)")
            #expect(!error.description.contains(Self.key))
        }
        #expect(session.phase == .idle)
        let reply = try await session.send("hello again")
        #expect(reply.reply == "Back again.")
        #expect(deltas.withLock { $0 } == ["Back ", "again."])
        #expect(server.requests.count == 2)
        #expect(await session.messages.count == 2)
    }
}
