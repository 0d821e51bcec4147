import Foundation
import Synchronization
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisSession
import TrellisTestSupport

/// The shipped Swift plugins (`Plugins/StandardSession` and `Plugins/MockAdapters`) run the
/// default session turn and heartbeat graphs through the C ABI: every session node type comes
/// from the plugin, and the LLM and memory calls go through the host's adapter extensions to
/// the plugin's mock adapters.
// Five minutes: a fresh checkout builds the plugin packages from nothing (about two minutes
// on two cores, next to the other suites); the build is shared, so most of it is waiting.
@Suite(.timeLimit(.minutes(5))) struct SwiftPluginSessionTests {
    private struct Loaded {
        let host: PluginHost
        let adapters: AdapterSet
    }

    private func loadSessionPlugins() async throws -> Loaded {
        let (session, mock) = try await SwiftPluginBuilds.standardPlugins()
        let sandbox = try SwiftPluginSandbox()
        try sandbox.install(session)
        try sandbox.install(mock)
        let host = try sandbox.loadedHost()
        let adapters = host.current.adapters
        let set = AdapterSet(llm: adapters["mock.llm"]?.llm, memory: adapters["mock.memory"]?.memory, tools: adapters["mock.tools"]?.tools)
        return Loaded(host: host, adapters: set)
    }

    private func sessionContext(input: String, sessionID: String, turn: Int, messages: [ContextValue] = []) -> Context {
        Context([
            "session.input": .string(input), "session.id": .string(sessionID), "session.agent_id": .string("agent-1"),
            "session.turn_count": .integer(turn), "session.messages": .list(messages), "session.goals": .list([]),
            "session.cognitive_mode": .string("reflection"), "session.run_kind": .string("turn"),
        ])
    }

    @Test func everyStandardTypeIsRegisteredUnderTheSessionNamespace() async throws {
        let loaded = try await loadSessionPlugins()
        let registry = loaded.host.current.registry
        for name in ["classify", "memory_recall", "mode_select", "llm_call", "tool_dispatch", "format", "memory_update"] {
            let registration = registry.handler(for: "session." + name)
            #expect(registration != nil, "session.\(name) is missing; registry has \(registry.typeIDs)")
            #expect(registration?.origin.hasSuffix("libTrellisStandardPlugin.so") == true)
        }
        #expect(registry.handler(for: "session.checkpoint")?.origin.hasSuffix("libTrellisStandardPlugin.so") != true,
                "session.checkpoint needs the host's store: built in only")
        #expect(Set(loaded.host.current.adapters.values.map(\.kind)) == [.llm, .memory, .tools])
    }

    @Test func defaultTurnGraphRunsOnThePluginTypesAndMockAdapters() async throws {
        let loaded = try await loadSessionPlugins()
        let compiled = try PipelineLoader.load(path: Repository.path("Graphs/session/turn.dot"),
                                               registry: loaded.host.current.registry)
        var messages: [ContextValue] = []
        for turn in 0..<3 {
            let input = "question \(turn)"
            let result = await Engine().run(compiled, context: sessionContext(input: input, sessionID: "swift-plugin-session", turn: turn, messages: messages),
                                            adapters: loaded.adapters)
            #expect(result.status == .success, "\(result.failureReason ?? "")")
            #expect(result.context["session.input_type"] == .string("query"))
            #expect(result.context["session.recalled_memories"] == .list([]))
            #expect(result.context["llm.response_type"] == .string("text"))
            #expect(result.context["session.response"] == .string("Response \(turn + 1)"), "the mock LLM counts answers per session")
            #expect(result.completedNodes.contains("update_memory"))
            messages.append(.map(["role": .string("user"), "content": .string(input)]))
            messages.append(.map(["role": .string("assistant"), "content": result.context["session.response"] ?? .null]))
        }
        // Another session has its own count.
        let other = await Engine().run(compiled, context: sessionContext(input: "hello", sessionID: "another-session", turn: 0), adapters: loaded.adapters)
        #expect(other.context["session.response"] == .string("Response 1"))
    }

    @Test func classifyAndFormatFollowTheReferenceRules() async throws {
        let loaded = try await loadSessionPlugins()
        let registry = loaded.host.current.registry
        let cases: [(String, ContextValue?, String)] = [
            ("/help", nil, "command"),
            ("tool_result: 42", nil, "tool_result"),
            ("please run rm -rf", .map(["blocked_words": .string("rm -rf, shutdown")]), "blocked"),
            ("what is the weather", nil, "query"),
        ]
        for (input, config, expected) in cases {
            var values: [String: ContextValue] = ["session.input": .string(input)]
            if let config { values["session.config"] = config }
            let outcome = try await invokeSwiftPluginType(registry, "session.classify", context: values)
            #expect(outcome.contextUpdates["session.input_type"] == .string(expected), "input '\(input)'")
            #expect(outcome.preferredLabel == expected)
        }
        let formatted = try await invokeSwiftPluginType(registry, "session.format", context: [
            "llm.content": .string(""), "session.tool_results": .list([.string("first"), .integer(2)]),
        ], attributes: [("prefix", "> ")])
        #expect(formatted.contextUpdates["session.response"] == .string("> first\n2"))
    }

    @Test func heartbeatGraphSelectsTheCognitiveMode() async throws {
        let loaded = try await loadSessionPlugins()
        let compiled = try PipelineLoader.load(path: Repository.path("Graphs/session/heartbeat.dot"),
                                               registry: loaded.host.current.registry)
        let cases: [([ContextValue], Int, String)] = [
            ([.map(["id": .string("g1")])], 5, "goal_pursuit"),
            ([], 5, "consolidation"),
            ([], 3, "reflection"),
            ([], 0, "reflection"),
        ]
        for (goals, turn, expected) in cases {
            // The graph's consolidation step needs a memory adapter; the plugin's mock memory does
            // not consolidate, which the step reports as nothing to do.
            let result = await Engine().run(compiled, context: Context(["session.goals": .list(goals), "session.turn_count": .integer(turn)]),
                                            adapters: loaded.adapters)
            #expect(result.status == .success, "\(result.failureReason ?? "")")
            #expect(result.context["session.cognitive_mode"] == .string(expected), "goals \(goals.count), turn \(turn)")
            #expect(result.completedNodes.contains("consolidate"))
        }
    }

    @Test func toolDispatchAppendsToolMessages() async throws {
        let loaded = try await loadSessionPlugins()
        let registry = loaded.host.current.registry
        let history: [ContextValue] = [.map(["role": .string("user"), "content": .string("run it")])]
        let dispatched = try await invokeSwiftPluginType(registry, "session.tool_dispatch", context: [
            "llm.tool_calls": .list([.map(["id": .string("call_1"), "name": .string("search"), "arguments": .map(["q": .string("x")])])]),
            "session.messages": .list(history),
        ], adapters: loaded.adapters)
        #expect(dispatched.status == .success, "\(dispatched.failureReason ?? "")")
        #expect(dispatched.contextUpdates["session.tool_results"] == .list([.string("called search with {\"q\":\"x\"}")]))
        #expect(dispatched.contextUpdates["session.messages"] == .list(history + [
            .map(["role": .string("tool"), "tool_call_id": .string("call_1"), "name": .string("search"),
                  "content": .string("called search with {\"q\":\"x\"}")]),
        ]))
    }

    @Test func adapterNodesFailClearlyWithoutAdapters() async throws {
        let loaded = try await loadSessionPlugins()
        let outcome = try await invokeSwiftPluginType(loaded.host.current.registry, "session.llm_call", context: ["session.input": .string("hi")])
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("no LLM adapter") == true, "\(outcome.failureReason ?? "")")
    }
}

extension SwiftPluginSessionTests {
    /// The mock LLM is a Swift SDK adapter on ABI 1.1: it streams through its
    /// `LLMCompletionContext` and reads the conversation by accessor (it sets the flag).
    @Test func swiftAdapterStreamsAndReadsMessagesByAccessor() async throws {
        let loaded = try await loadSessionPlugins()
        let llm = try #require(loaded.adapters.llm)
        let conversation: [ContextValue] = [
            .map(["role": .string("user"), "content": .string("what time is it?")]),
            .map(["role": .string("assistant"), "content": .string(""),
                  "tool_calls": .list([.map(["id": .string("call_7"), "name": .string("clock"), "arguments": .map([:])])])]),
            .map(["role": .string("tool"), "tool_call_id": .string("call_7"), "name": .string("clock"), "content": .string("12:00")]),
        ]
        let options: [String: ContextValue] = ["session_id": .string("sdk-streaming"), "mock_echo_messages": .boolean(true)]
        // An NSLock (a pthread mutex): the pieces arrive on plugin threads, and the thread
        // sanitizer cannot see a `Synchronization.Mutex` on Linux.
        let lock = NSLock()
        nonisolated(unsafe) var received: [String] = []
        let streamed = try await llm.complete(LLMRequest(prompt: "", messages: conversation, options: options,
                                                         onDelta: { piece in lock.withLock { received.append(piece) } }))
        let pieces = lock.withLock { received }
        #expect(pieces == ["Response ", "1", " after user,assistant,tool [call_7]"])
        #expect(streamed.content == pieces.joined())

        let quiet = try await llm.complete(LLMRequest(prompt: "", messages: conversation, options: options))
        #expect(quiet.content == "Response 2 after user,assistant,tool [call_7]", "without a sink nothing streams, the answer is whole")
    }
}

extension SwiftPluginSessionTests {
    /// An SDK adapter answers either at once, from `completeImmediately` on the host's thread
    /// (the mock without latency), or from `complete(_:context:)` in a task (the mock with
    /// `mock_latency_ms`, which sleeps first). Both stream their pieces and count alike.
    @Test func swiftAdapterAnswersAtOnceOrAfterWaiting() async throws {
        let loaded = try await loadSessionPlugins()
        let llm = try #require(loaded.adapters.llm)
        let lock = NSLock()
        nonisolated(unsafe) var received: [String] = []
        let clock = ContinuousClock()
        let start = clock.now
        let waited = try await llm.complete(LLMRequest(prompt: "hi", options: ["session_id": .string("sdk-waiting"), "mock_latency_ms": .integer(30)],
                                                       onDelta: { piece in lock.withLock { received.append(piece) } }))
        #expect(clock.now - start >= .milliseconds(30), "the waiting path sleeps its latency before it answers")
        #expect(waited.content == "Response 1")
        #expect(lock.withLock { received } == ["Response ", "1"])

        lock.withLock { received = [] }
        let immediate = try await llm.complete(LLMRequest(prompt: "hi", options: ["session_id": .string("sdk-waiting")],
                                                          onDelta: { piece in lock.withLock { received.append(piece) } }))
        #expect(immediate.content == "Response 2")
        #expect(lock.withLock { received } == ["Response ", "2"], "an immediate answer streams as well")

        let memory = try #require(loaded.adapters.memory)
        #expect(try await memory.recall(agentID: "agent-1", query: "hi").isEmpty)
        try await memory.update(agentID: "agent-1", entry: ["summary": .string("said hi")])
    }
}

/// Collects run events (test helper).
final class SwiftPluginEventCollector: EventSink, Sendable {
    private let storage = Mutex<[RunEvent]>([])
    func emit(_ event: RunEvent) { storage.withLock { $0.append(event) } }
    var events: [RunEvent] { storage.withLock { $0 } }
}

/// Runs the handler registered as `type` on one request (test helper).
func invokeSwiftPluginType(_ registry: HandlerRegistry, _ type: String, context: [String: ContextValue] = [:],
                           attributes: [(String, String)] = [], events: any EventSink = DiscardingEventSink(),
                           adapters: AdapterSet = AdapterSet()) async throws -> Outcome {
    let registration = try #require(registry.handler(for: type), "no handler for '\(type)'; registry has \(registry.typeIDs)")
    let node = NodeSpec(id: "node", type: type, attributes: Attributes(attributes.map { ($0.0, AttributeValue($0.1)) }), index: 0)
    let request = HandlerRequest(node: node, context: Context(context), adapters: adapters, services: RunServices(events: events))
    return try await registration.handler.execute(request)
}

extension SwiftPluginSessionTests {
    /// A plugin node reaches a built-in adapter through the C ABI: the host asks the adapter for
    /// an answer at hand first, on the calling thread, and awaits `complete` only when there is
    /// none; an error thrown either way fails the node with its text.
    @Test func builtInAdaptersAnswerPluginNodesAtOnceOrAfterWaiting() async throws {
        let loaded = try await loadSessionPlugins()
        let context: [String: ContextValue] = ["session.input": .string("hello"), "session.id": .string("s"), "session.messages": .list([])]
        func reply(_ model: PathRecordingLLM) async throws -> Outcome {
            try await invokeSwiftPluginType(loaded.host.current.registry, "session.llm_call", context: context, adapters: AdapterSet(llm: model))
        }

        let atOnce = PathRecordingLLM(answersAtOnce: true)
        #expect(try await reply(atOnce).contextUpdates["llm.content"] == .string("answered at once"))
        #expect(atOnce.paths == ["immediately"], "complete(_:) is not called when the answer is at hand")

        let waiting = PathRecordingLLM(answersAtOnce: false)
        #expect(try await reply(waiting).contextUpdates["llm.content"] == .string("answered after waiting"))
        #expect(waiting.paths == ["immediately", "complete"])

        let failing = PathRecordingLLM(answersAtOnce: true, fails: true)
        let failed = try await reply(failing)
        #expect(failed.status == .fail)
        #expect(failed.failureReason?.contains("no answer today") == true, "\(failed.failureReason ?? "")")
    }
}

/// An LLM that answers at once or only from `complete(_:)`, and records which was asked.
private final class PathRecordingLLM: LLMAdapter, Sendable {
    struct Refusal: Error, CustomStringConvertible { var description: String { "no answer today" } }
    let answersAtOnce: Bool
    let fails: Bool
    private let asked = Mutex<[String]>([])
    var paths: [String] { asked.withLock { $0 } }

    init(answersAtOnce: Bool, fails: Bool = false) {
        self.answersAtOnce = answersAtOnce
        self.fails = fails
    }

    func completeImmediately(_ request: LLMRequest) throws -> LLMResponse? {
        asked.withLock { $0.append("immediately") }
        if fails { throw Refusal() }
        return answersAtOnce ? LLMResponse(content: "answered at once") : nil
    }

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        asked.withLock { $0.append("complete") }
        try await Task.sleep(for: .milliseconds(5))
        return LLMResponse(content: "answered after waiting")
    }
}

extension SwiftPluginSessionTests {
    /// The session config is read field by field on the plugin path: a string (`system_prompt`)
    /// crosses alone, an integer (`max_tool_rounds`) with the whole map. Both reach the model
    /// call as they do built in.
    @Test func configFieldsReachTheModelCallOnBothPaths() async throws {
        let loaded = try await loadSessionPlugins()
        let context: [String: ContextValue] = [
            "session.input": .string("hello"), "session.messages": .list([]), "llm.tool_rounds": .integer(1),
            "session.config": .map(["system_prompt": .string("Be brief."), "max_tool_rounds": .integer(1)]),
        ]
        for registry in [loaded.host.current.registry, SessionHandlers.registry] {
            let model = ToolAskingLLM()
            let outcome = try await invokeSwiftPluginType(registry, "session.llm_call", context: context, adapters: AdapterSet(llm: model))
            #expect(outcome.status == .fail, "\(outcome)")
            #expect(outcome.failureReason?.contains("the limit is 1 (max_tool_rounds)") == true, "\(outcome.failureReason ?? "")")
            #expect(model.systems == ["Be brief."])
        }
    }
}

/// An LLM that always asks for a tool, and records the system text it was given.
private final class ToolAskingLLM: LLMAdapter, Sendable {
    private let seen = Mutex<[String]>([])
    var systems: [String] { seen.withLock { $0 } }

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        seen.withLock { $0.append(request.options["system"]?.stringValue ?? "") }
        return LLMResponse(content: "", toolCalls: [.map(["id": .string("c1"), "name": .string("clock"), "arguments": .map([:])])])
    }
}
