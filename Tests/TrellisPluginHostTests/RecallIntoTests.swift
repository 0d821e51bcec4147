import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisSession
import TrellisTestSupport

/// ABI 1.4: `trellis.memory/1` `recall_into` writes the recalled memories to the node's
/// context key in the host, so they never cross into the plugin; the plugin is told how many.
/// Serialized: the tests share the plugin image and its record of the last callback.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RecallIntoTests {
    private func loadKeeper() throws -> PluginHost {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("keeper", source: RecallIntoSources.keeper), as: "libkeeper.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        return host
    }

    private static func entry(_ input: String) -> ContextValue {
        .map(["input": .string(input), "response": .string("ok"), "input_type": .string("query"), "turn": .integer(1)])
    }

    @Test func aBuiltInMemorysRecallIsWrittenToTheKeyAndCounted() async throws {
        let host = try loadKeeper()
        let memory = InMemoryMemory()
        try await memory.update(agentID: "a", entry: Self.entry("weather in town"))
        try await memory.update(agentID: "a", entry: Self.entry("unrelated"))
        try await memory.update(agentID: "a", entry: Self.entry("weather again"))
        let outcome = try await invoke(host.current.registry, "keeper.recall", context: ["input": .string("the weather")],
                                       attributes: [("key", "session.recalled_memories")], adapters: AdapterSet(memory: memory))
        #expect(outcome.status == .success, "\(outcome)")
        #expect(outcome.contextUpdates["session.recalled_memories"] == .list([Self.entry("weather again"), Self.entry("weather in town")]))
        #expect(outcome.contextUpdates["count"] == .string("2"))
        // Refused before anything started (TRELLIS_INVALID, 6), and their callbacks never ran.
        #expect(outcome.contextUpdates["empty_key"] == .integer(6))
        #expect(outcome.contextUpdates["bad_key"] == .integer(6))
    }

    @Test func aPluginMemorysAnswerIsWrittenWithoutComingBack() async throws {
        let host = try loadKeeper()
        let memory = try #require(host.current.adapters["keeper.mem"]?.memory)
        let outcome = try await invoke(host.current.registry, "keeper.recall", context: ["input": .string("anything")],
                                       adapters: AdapterSet(memory: memory))
        #expect(outcome.status == .success, "\(outcome)")
        #expect(outcome.contextUpdates["memories"] == .list([.map(["input": .string("from the plugin")])]))
        #expect(outcome.contextUpdates["count"] == .string("1"))
    }

    @Test func withoutAMemoryAdapterTheNodeIsToldUnavailable() async throws {
        let host = try loadKeeper()
        let outcome = try await invoke(host.current.registry, "keeper.recall", context: ["input": .string("x")])
        #expect(outcome.status == .fail, "recall_into returned TRELLIS_UNAVAILABLE, which invoke returned: \(outcome)")
        #expect(outcome.contextUpdates["memories"] == nil)
    }

    /// Memories that arrive after the node's call ended (here: cancelled while the recall
    /// waits) are not written anywhere, and the plugin's callback hears why.
    @Test func memoriesArrivingAfterTheCallEndedAreNotWritten() async throws {
        let host = try loadKeeper()
        let memory = InMemoryMemory(recallLatency: .milliseconds(300))
        try await memory.update(agentID: "a", entry: Self.entry("late weather"))
        let registry = host.current.registry
        let running = Task { try await invoke(registry, "keeper.recall", context: ["input": .string("weather")], adapters: AdapterSet(memory: memory)) }
        try await Task.sleep(for: .milliseconds(50))
        running.cancel()
        let cancelled = try await running.value
        #expect(cancelled.status == .fail)
        #expect(cancelled.contextUpdates["memories"] == nil)

        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var last = try await invoke(registry, "keeper.last")
        while last.contextUpdates["last_status"] == .integer(-1) || last.contextUpdates["last_status"] == .integer(0), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            last = try await invoke(registry, "keeper.last")
        }
        #expect(last.contextUpdates["last_status"] == .integer(1), "TRELLIS_ERROR once the memories came: \(last.contextUpdates)")
        #expect(last.contextUpdates["last_message"]?.string?.contains("ended before its memories arrived") == true, "\(last.contextUpdates)")
    }

    /// A plugin built against the 1.3 header (typed LLM requests, before recall_into) loads as
    /// 1.3 and its typed node still reaches the run's model.
    @Test func pluginsBuiltAgainstABI13KeepLoadingAndRunning() async throws {
        let old = Repository.path("Tests/PluginABIFixtures/trellis_plugin_abi_1_3.h")
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("typed_abi13", source: TypedLLMSources.typed, defines: ["-include", old]), as: "libtyped.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        #expect(host.current.plugins.map(\.abiMinor) == [3])
        let echo = try #require(host.current.adapters["typed.echo"]?.llm)
        let outcome = try await invoke(host.current.registry, "typed.ask", attributes: [("prompt", "hello")], adapters: AdapterSet(llm: echo))
        #expect(outcome.status == .success, "\(outcome)")
        #expect(outcome.contextUpdates["answer"]?.string?.hasPrefix("json=0;small=6;prompt=hello;") == true, "\(outcome.contextUpdates)")
    }

    /// `context_list_item_string` and `context_map_string` (ABI 1.4) read one string inside a
    /// list item or a map; every way of missing gets its documented status.
    @Test func aStringInsideAListItemIsReadWithoutItsJSON() async throws {
        let host = try loadKeeper()
        let context: [String: ContextValue] = [
            "memories": .list([Self.entry("first"), Self.entry("second")]),
            "words": .list(["alpha", "beta"]),
            "scalar": .integer(7),
            "session.messages": .messages(MessageList([.map(["role": "user", "content": "hi"])])),
            "config": .map(["system_prompt": "Be brief.", "max_tool_rounds": 3]),
        ]
        let outcome = try await invoke(host.current.registry, "keeper.texts", context: context)
        #expect(outcome.status == .success, "\(outcome)")
        let updates = outcome.contextUpdates
        #expect(updates["second_input"] == .integer(0) && updates["second_input_text"] == .string("second"))
        #expect(updates["plain"] == .integer(0) && updates["plain_text"] == .string("alpha"), "an empty field reads a string item")
        #expect(updates["message_role"] == .integer(0) && updates["message_role_text"] == .string("user"), "a compact message list reads too")
        let notFound = ContextValue.integer(3), wrongType = ContextValue.integer(4)
        #expect(updates["no_key"] == notFound)
        #expect(updates["out_of_range"] == notFound)
        #expect(updates["negative"] == notFound)
        #expect(updates["no_field"] == notFound)
        #expect(updates["number_field"] == wrongType)
        #expect(updates["not_a_map"] == wrongType)
        #expect(updates["not_a_list"] == wrongType)
        // context_map_string: one field of a map.
        #expect(updates["prompt"] == .integer(0) && updates["prompt_text"] == .string("Be brief."))
        #expect(updates["map_no_field"] == notFound)
        #expect(updates["map_no_key"] == notFound)
        #expect(updates["map_number"] == wrongType)
        #expect(updates["map_not_a_map"] == wrongType)
    }
}
