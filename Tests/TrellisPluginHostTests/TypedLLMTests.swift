import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// ABI 1.3: LLM requests and answers as typed fields instead of JSON, in both directions (an
/// adapter reading its request with `reply_llm_request` and answering with `adapter_reply_llm`;
/// a node calling `complete_request` on `trellis.llm/1`), what misuse returns, and plugins built
/// against 1.2 loading and running unchanged. Serialized: the tests share the plugin image and
/// its static records of what it saw.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TypedLLMTests {
    private static let conversation: [ContextValue] = [
        .map(["role": "user", "content": "hello"]),
        .map(["role": "assistant", "content": "hi"]),
        .map(["role": "user", "content": "again"]),
    ]

    /// A tools adapter offering one tool, so `TRELLIS_LLM_OFFER_TOOLS` has something to offer.
    private struct OfferingTools: ToolsAdapter {
        var offers: [ContextValue] { [.map(["name": "ls", "description": "lists", "parameters": .map(["type": "object"])])] }
        func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] { calls }
    }

    private final class Pieces: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ piece: String) { lock.withLock { items.append(piece) } }
        var all: [String] { lock.withLock { items } }
    }

    private func loadTyped() throws -> PluginHost {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("typed", source: TypedLLMSources.typed), as: "libtyped.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        return host
    }

    @Test func adapterReadsTheRequestTypedAndAnswersTyped() async throws {
        let host = try loadTyped()
        let echo = try #require(host.current.adapters["typed.echo"]?.llm)
        let request = LLMRequest(prompt: "tools", messages: Self.conversation, model: "m1", provider: "p1",
                                 options: ["session_id": "s1", "count": 3, "on": true, "ratio": .double(0.5), "tags": .list(["a", "b"])],
                                 tools: [.map(["name": "ls"])])
        let response = try await echo.complete(request)
        #expect(response.content == #"json=0;small=6;prompt=tools;model=m1;provider=p1;options=5;stream=0;messages=3;session_id=s1;count=3;on=true;ratio=0.50;tags=["a","b"];tools=[{"name":"ls"}];bad_utf8=6;bad_calls=6"#,
                "no JSON request, every field typed; misuse refused with TRELLIS_INVALID (6) and the reply still answerable")
        #expect(response.toolCalls == [ContextValue.map(["id": "c1", "name": "ls", "arguments": .map(["path": "/"])])])
        #expect(response.usage == LLMUsage(input: 7, output: 3))

        // After the typed answer the reply handle is dead: both functions return TRELLIS_UNAVAILABLE (5).
        let late = try await invoke(host.current.registry, "typed.late")
        #expect(late.contextUpdates["late_request"] == .integer(5))
        #expect(late.contextUpdates["late_reply"] == .integer(5))
    }

    @Test func aTypedAnswerIsPassedOnAsOnePieceWhenStreamingWasAsked() async throws {
        let host = try loadTyped()
        let echo = try #require(host.current.adapters["typed.echo"]?.llm)
        let pieces = Pieces()
        let response = try await echo.complete(LLMRequest(prompt: "plain", onDelta: { pieces.append($0) }))
        #expect(response.content.contains(";stream=1;messages=0;"), "\(response.content)")
        #expect(pieces.all == [response.content])
        #expect(response.toolCalls.isEmpty)
    }

    @Test func adapterReplyLLMIsRefusedForOtherOperations() async throws {
        let host = try loadTyped()
        let memory = try #require(host.current.adapters["typed.mem"]?.memory)
        let recalled = try await memory.recall(agentID: "a", query: "q")
        #expect(recalled == ["remembered"], "the JSON reply after the refused typed one answered the recall")
        let late = try await invoke(host.current.registry, "typed.late")
        #expect(late.contextUpdates["memory_reply_llm"] == .integer(5))
    }

    @Test func mapEntriesReachAMemoryAdapterAsFieldsOthersAsJSON() async throws {
        let host = try loadTyped()
        let memory = try #require(host.current.adapters["typed.mem"]?.memory)
        try await memory.update(agentID: "a1", entry: .map(["turn": 2]))
        var late = try await invoke(host.current.registry, "typed.late")
        #expect(late.contextUpdates["memory_seen"] == .string("a1 fields status=0 count=1;turn=2"))
        #expect(late.contextUpdates["late_entry"] == .integer(5), "after the reply the entry is not lent any more")
        try await memory.update(agentID: "a2", entry: .list(["x"]))
        late = try await invoke(host.current.registry, "typed.late")
        #expect(late.contextUpdates["memory_seen"] == .string(#"a2 json ["x"]"#))

        // A node's update_entry reaches the run's memory adapter (here the same plugin's) as fields.
        let outcome = try await invoke(host.current.registry, "typed.remember", adapters: AdapterSet(memory: memory))
        #expect(outcome.status == .success, "\(outcome)")
        #expect(outcome.contextUpdates["invalid_entry"] == .integer(6), "a field of unknown type is TRELLIS_INVALID")
        late = try await invoke(host.current.registry, "typed.late")
        let seen = try #require(late.contextUpdates["memory_seen"]?.string)
        #expect(seen.hasPrefix("agent fields status=0 count=2;") && seen.contains(";turn=4") && seen.contains(";input=hi"), "\(seen)")
    }

    @Test func nodeCallsTheRunsLLMWithATypedRequest() async throws {
        let host = try loadTyped()
        let adapters = AdapterSet(llm: try #require(host.current.adapters["typed.echo"]?.llm), tools: OfferingTools())
        let outcome = try await invoke(host.current.registry, "typed.ask", context: ["session.messages": .list(Self.conversation)],
                                       attributes: [("prompt", "tools")], adapters: adapters)
        #expect(outcome.status == .success, "\(outcome)")
        let answer = try #require(outcome.contextUpdates["answer"]?.string)
        // The node's options and the session's messages reached the adapter; the run's tools were offered.
        #expect(answer.hasPrefix("json=0;small=6;prompt=tools;model=m1;provider=p1;options=5;stream=0;messages=3;session_id=s1;count=3;on=true;ratio=0.50;tags=[\"a\",\"b\"];tools=[{"), "\(answer)")
        #expect(answer.contains(#""name":"ls""#), "\(answer)")
        #expect(outcome.contextUpdates["tool_calls"] == .list([.map(["id": "c1", "name": "ls", "arguments": .map(["path": "/"])])]))
        #expect(outcome.contextUpdates["input_tokens"] == .integer(7))
        #expect(outcome.contextUpdates["output_tokens"] == .integer(3))
        // Refused requests: TRELLIS_INVALID (6), and their callback never ran (the node completed once, with the real answer).
        #expect(outcome.contextUpdates["unknown_flags"] == .integer(6))
        #expect(outcome.contextUpdates["too_small"] == .integer(6))
        #expect(outcome.contextUpdates["wrong_kind"] == .integer(6))
    }

    @Test func nodeWithoutAnLLMAdapterIsToldUnavailable() async throws {
        let host = try loadTyped()
        let outcome = try await invoke(host.current.registry, "typed.ask")
        #expect(outcome.status == .fail, "complete_request returned TRELLIS_UNAVAILABLE, so invoke returned TRELLIS_ERROR: \(outcome)")
    }

    @Test func pluginsBuiltAgainstABI12KeepLoadingAndRunning() async throws {
        let old = Repository.path("Tests/PluginABIFixtures/trellis_plugin_abi_1_2.h")
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("cexample_abi12", source: String(contentsOfFile: Repository.cExampleSource, encoding: .utf8),
                                                defines: ["-include", old]), as: "libcexample.so")
        try sandbox.install(TestPlugins.library("stream_abi12", source: StreamingAdapterSources.stream, defines: ["-include", old]),
                            as: "libstream.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        #expect(host.current.plugins.count == 2)
        #expect(host.current.plugins.allSatisfy { $0.abiMajor == 1 && $0.abiMinor == 2 }, "\(host.current.plugins.map { ($0.id, $0.abiMinor) })")
        let outcome = try await invoke(host.current.registry, "cexample.uppercase", context: ["input": .string("abi twelve")])
        #expect(outcome.contextUpdates["output"] == .string("ABI TWELVE"))
        // A 1.2 LLM adapter still gets its request as JSON (without messages: it reads them by accessor).
        let talk = try #require(host.current.adapters["stream.talk"]?.llm)
        let response = try await talk.complete(LLMRequest(prompt: "next", messages: [.map(["role": "user", "content": "hello"])]))
        #expect(response.content.hasPrefix("user=hello;"), "\(response.content)")
        #expect(response.content.hasSuffix("json_has_messages=0;stream=0;first=5"), "\(response.content)")
    }
}
