import Foundation
import Synchronization
import Testing
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

/// What a session does with a real model's features: the tool loop of the default turn graph,
/// streamed answers as events, and token usage.
@Suite(.timeLimit(.minutes(1)))
struct SessionModelTests {
    /// Answers with a tool call until `toolRounds` calls were made, then with text; keeps every request.
    final class ScriptedModel: LLMAdapter {
        let toolRounds: Int
        let requests = Mutex<[LLMRequest]>([])
        init(toolRounds: Int) { self.toolRounds = toolRounds }

        func complete(_ request: LLMRequest) async throws -> LLMResponse {
            let count = requests.withLock { requests in
                requests.append(request)
                return requests.count
            }
            let usage = LLMUsage(input: 10 * count, output: count)
            if count <= toolRounds {
                return LLMResponse(content: "", toolCalls: [
                    .map(["id": .string("call_\(count)"), "name": "clock", "arguments": .map(["zone": "UTC"])]),
                ], usage: usage)
            }
            for piece in ["It is ", "noon", "."] { request.onDelta?(piece) }
            return LLMResponse(content: "It is noon.", usage: usage)
        }
    }

    /// Tools that offer `clock` and answer in the tool-message form.
    struct ClockTools: ToolsAdapter {
        var offers: [ContextValue] { [.map(["name": "clock", "description": "the time", "parameters": .map(["type": "object"])])] }
        func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
            calls.map { .map(["tool_call_id": $0["id"] ?? "", "name": "clock", "content": "12:00"]) }
        }
    }

    static func session(_ model: ScriptedModel, events: SessionEventBus = SessionEventBus(), config: [String: ContextValue] = [:]) throws -> Session {
        try Session(
            configuration: SessionConfiguration(config: config),
            graphs: Support.defaultGraphs(),
            adapters: SessionAdapters(set: AdapterSet(llm: model, memory: InMemoryMemory(), tools: ClockTools())),
            heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)), events: events)
    }

    @Test("the default turn graph loops through the tools; the model sees the turn in order")
    func toolLoop() async throws {
        let model = ScriptedModel(toolRounds: 2)
        let session = try Self.session(model)
        let reply = try await session.send("what time is it?")
        #expect(reply.reply == "It is noon.")
        let requests = model.requests.withLock { $0 }
        #expect(requests.count == 3)
        #expect(requests[0].prompt == "what time is it?")
        #expect(requests[0].tools.first?["name"] == "clock")
        // Later rounds: the user's message first, then the calls and results of this turn.
        #expect(requests[2].prompt == "")
        #expect(requests[2].messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "assistant", "tool"])
        #expect(requests[2].messages[0]["content"] == "what time is it?")
        #expect(requests[2].messages[1]["tool_calls"]?.list?.first?["id"] == "call_1")
        #expect(requests[2].messages[2]["tool_call_id"] == "call_1")
        #expect(requests[2].messages[4]["tool_call_id"] == "call_2")
        let history = await session.messages.map { $0["role"]?.stringValue ?? "" }
        #expect(history == ["user", "assistant", "tool", "assistant", "tool", "assistant"])
    }

    @Test("past max_tool_rounds the turn fails saying so, and the session stays usable")
    func toolRoundsAreBounded() async throws {
        let model = ScriptedModel(toolRounds: 100)
        let session = try Self.session(model, config: ["max_tool_rounds": 3])
        do {
            _ = try await session.send("loop forever")
            Issue.record("the turn should have failed")
        } catch {
            #expect(error.description.contains("after 3 tool round(s) in this turn; the limit is 3 (max_tool_rounds)"), "\(error)")
        }
        #expect(model.requests.withLock { $0.count } == 4)
        #expect(await session.messages.isEmpty)
        #expect(session.phase == .idle)
    }

    @Test("streamed pieces are llm_delta events while the turn runs; usage is per turn and summed")
    func deltasAndUsage() async throws {
        let events = SessionEventBus()
        let log = EventLog(events)
        let model = ScriptedModel(toolRounds: 1)
        let session = try Self.session(model, events: events)
        let first = try await session.send("time?")
        let deltas = log.all.filter { $0.kind == "llm_delta" }
        #expect(deltas.compactMap { $0.fields["text"]?.string } == ["It is ", "noon", "."])
        #expect(deltas.compactMap { $0.fields["text"]?.string }.joined() == first.reply)
        #expect(deltas.allSatisfy { $0.fields["turn"] == 1 })
        #expect(first.usage == LLMUsage(input: 30, output: 3))
        let completed = try #require(log.all.last { $0.kind == "turn_completed" })
        #expect(completed.fields["usage"] == .map(["input_tokens": 30, "output_tokens": 3]))
        let second = try await session.send("again?")
        #expect(second.usage == LLMUsage(input: 30, output: 3))
        #expect(session.status.snapshot.usage == LLMUsage(input: 60, output: 6))
    }

    @Test("the embedded default graphs are the files in Graphs/session, word for word")
    func embeddedGraphsMatchTheFiles() throws {
        #expect(try String(contentsOfFile: Repository.path(DefaultSessionGraphs.turnPath), encoding: .utf8) == DefaultSessionGraphs.turn)
        #expect(try String(contentsOfFile: Repository.path(DefaultSessionGraphs.heartbeatPath), encoding: .utf8) == DefaultSessionGraphs.heartbeat)
    }
}
