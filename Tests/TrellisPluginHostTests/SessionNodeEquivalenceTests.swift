import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisSession
import TrellisTestSupport

/// The session node types are written once (TrellisSessionNodes): the same turns through the
/// built-in handlers and through the standard session plugin (a real `.so` over the C ABI)
/// give the same replies, context, model requests and run events.
@Suite(.timeLimit(.minutes(5))) struct SessionNodeEquivalenceTests {
    /// What one path produced for one turn.
    private struct TurnTrace: Equatable {
        var status: String
        var completedNodes: [String]
        var context: [String: ContextValue]
        var events: [String]
    }

    private static let turns = [
        "hello there", "/help", "please use the clock", "tell me the secret plan", "what did I ask before?",
        "tool_result: 42", "please use the clock again",
    ]

    private func runTurns(_ registry: HandlerRegistry) async throws -> (traces: [TurnTrace], requests: [ScriptedLLM.Seen]) {
        let compiled = try PipelineLoader.load(path: Repository.path("Graphs/session/turn.dot"), registry: registry)
        let llm = ScriptedLLM()
        let adapters = AdapterSet(llm: llm, memory: InMemoryMemory(), tools: ClockTools())
        var messages: [ContextValue] = []
        var traces: [TurnTrace] = []
        for (turn, input) in Self.turns.enumerated() {
            let context = Context([
                "session.input": .string(input), "session.id": .string("equivalence"), "session.agent_id": .string("agent-1"),
                "session.turn_count": .integer(turn), "session.messages": .list(messages), "session.goals": .list([]),
                "session.cognitive_mode": .string("reflection"), "session.run_kind": .string("turn"),
                "session.config": .map(["system_prompt": .string("Be brief."), "blocked_words": .string("secret, shutdown")]),
            ])
            let events = SwiftPluginEventCollector()
            let result = await Engine().run(compiled, context: context, adapters: adapters, services: RunServices(events: events))
            var kept: [String: ContextValue] = [:]
            for (key, value) in result.context.values where key.hasPrefix("session.") || key.hasPrefix("llm.") || key.hasPrefix("outcome") {
                kept[key] = value
            }
            // Kinds, nodes and fields, without what measures time.
            let eventLines = events.events.map { event in
                let fields = event.fields.filter { !$0.key.contains("duration") && !$0.key.contains("time") }
                return "\(event.kind.rawValue) \(event.nodeID ?? "-") \(ContextValue.map(fields).jsonText)"
            }
            traces.append(TurnTrace(status: "\(result.status)", completedNodes: result.completedNodes, context: kept, events: eventLines))
            messages = result.context["session.messages"]?.list ?? messages
            messages.append(.map(["role": .string("user"), "content": .string(input)]))
            messages.append(.map(["role": .string("assistant"), "content": result.context["session.response"] ?? .null]))
        }
        return (traces, llm.seen)
    }

    @Test func builtInAndPluginPathsGiveTheSameTurns() async throws {
        let (session, _) = try await SwiftPluginBuilds.standardPlugins()
        let sandbox = try SwiftPluginSandbox()
        try sandbox.install(session)
        let host = try sandbox.loadedHost(builtins: SessionHandlers.registry)
        let pluginRegistry = host.current.registry
        for type in ["session.classify", "session.llm_call", "session.tool_dispatch", "session.format"] {
            #expect(pluginRegistry.handler(for: type)?.origin.hasSuffix("libTrellisStandardPlugin.so") == true, "\(type) should come from the plugin")
            #expect(host.current.replacedBuiltins.contains(type), "replacing built-in \(type) is recorded")
        }

        let builtin = try await runTurns(SessionHandlers.registry)
        let plugin = try await runTurns(pluginRegistry)

        // The turns did what the script asks: a blocked input, a command, two tool rounds.
        #expect(builtin.traces.allSatisfy { $0.status == "success" }, "\(builtin.traces.map(\.status))")
        #expect(builtin.traces[3].context["session.input_type"] == .string("blocked"))
        #expect(builtin.traces[2].completedNodes.contains("dispatch_tools"))
        #expect(builtin.traces[2].context["session.response"] == .string("It is 12:00."))
        #expect(builtin.requests.contains { $0.tools == ["clock"] && $0.system.contains("Be brief.") })

        #expect(plugin.traces.count == builtin.traces.count)
        for (index, (expected, actual)) in zip(builtin.traces, plugin.traces).enumerated() {
            #expect(actual.status == expected.status, "turn \(index)")
            #expect(actual.completedNodes == expected.completedNodes, "turn \(index)")
            #expect(actual.context == expected.context, "turn \(index): context differs")
            #expect(actual.events == expected.events, "turn \(index): events differ")
        }
        #expect(plugin.requests == builtin.requests, "the model saw different requests on the two paths")
    }
}

/// An LLM that asks for the clock tool when the user says "clock" (until the tool answered),
/// and otherwise answers naming what it saw. Records every request.
private final class ScriptedLLM: LLMAdapter, @unchecked Sendable {
    struct Seen: Equatable {
        var prompt: String
        var roles: [String]
        var options: [String: ContextValue]
        var system: String
        var tools: [String]
    }

    private let lock = NSLock()
    private var requests: [Seen] = []
    var seen: [Seen] { lock.withLock { requests } }

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let roles = request.messages.map { $0["role"]?.stringValue ?? "?" }
        lock.withLock {
            requests.append(Seen(prompt: request.prompt, roles: roles, options: request.options,
                                 system: request.options["system"]?.stringValue ?? "",
                                 tools: request.tools.map { $0["name"]?.stringValue ?? "?" }))
        }
        let asked = request.prompt.isEmpty ? request.messages.last(where: { $0["role"] == .string("user") })?["content"]?.stringValue ?? "" : request.prompt
        if asked.contains("clock") {
            if roles.last == "tool" { return LLMResponse(content: "It is 12:00.") }
            return LLMResponse(content: "", toolCalls: [.map(["id": .string("call_\(roles.count)"), "name": .string("clock"), "arguments": .map([:])])])
        }
        return LLMResponse(content: "Answer to '\(asked)' after \(roles.count) messages")
    }
}

/// A tools adapter offering one tool, `clock`.
private struct ClockTools: ToolsAdapter {
    var offers: [ContextValue] {
        [.map(["name": .string("clock"), "description": .string("the time"), "parameters": .map(["type": .string("object")])])]
    }

    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        calls.map { call in .map(["tool_call_id": call["id"] ?? .null, "name": call["name"] ?? .null, "content": .string("12:00")]) }
    }
}
