import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
@testable import TrellisSession
import TrellisTestSupport

/// A session whose LLM is a C plugin adapter: the pieces the plugin publishes from its own
/// thread with `reply_delta` become the session's `llm_delta` events, and the reply is their
/// concatenation.
@Suite(.timeLimit(.minutes(1))) struct PluginSessionStreamingTests {
    /// Events of one session, collected from the bus's delivery thread. An `NSLock` so the
    /// thread sanitizer sees the synchronization.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [SessionEvent] = []
        func append(_ event: SessionEvent) { lock.withLock { events.append(event) } }
        var all: [SessionEvent] { lock.withLock { events } }
    }

    @Test func pluginDeltasArePublishedAsLLMDeltaEvents() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("stream", source: StreamingAdapterSources.stream), as: "libstream.so")
        let host = sandbox.host()
        host.reload()
        let llm = try #require(host.current.adapters["stream.talk"]?.llm)

        let registry = SessionHandlers.registry
        let graphs = SessionGraphs(turn: try SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "<turn>", registry: registry),
                                   heartbeat: try SessionGraphs.compile(text: DefaultSessionGraphs.heartbeat, file: "<heartbeat>", registry: registry))
        let events = SessionEventBus()
        let collected = Collected()
        let token = events.subscribe { collected.append($0) }
        defer { _ = token }
        let session = try Session(configuration: SessionConfiguration(), graphs: graphs,
                                  adapters: SessionAdapters(set: AdapterSet(llm: llm, memory: InMemoryMemory())),
                                  heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)), events: events)

        let first = try await session.send("hello plugin")
        let second = try await session.send("and again")
        let deltas = collected.all.filter { $0.kind == "llm_delta" }
        let texts = deltas.compactMap { $0.fields["text"]?.string }
        let firstTurn = deltas.filter { $0.fields["turn"] == 1 }.compactMap { $0.fields["text"]?.string }
        let secondTurn = deltas.filter { $0.fields["turn"] == 2 }.compactMap { $0.fields["text"]?.string }
        #expect(firstTurn.count >= 2, "the plugin streamed several pieces: \(texts)")
        #expect(firstTurn.joined() == first.reply)
        #expect(secondTurn.joined() == second.reply)
        // The second turn's conversation holds the first exchange, read by accessor.
        #expect(second.reply.contains("assistant=" + first.reply.prefix(8)), "\(second.reply)")
        #expect(second.reply.contains("json_has_messages=0;stream=1;first=0"), "\(second.reply)")
    }
}
