import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost

/// Well-behaved C plugins: loading, registration, running inside a graph, the context API,
/// asynchronous completion from another thread, adapters in both directions.
@Suite(.timeLimit(.minutes(1))) struct PluginLoadingTests {
    @Test func cExampleLoadsRegistersAndRunsInsideAGraph() async throws {
        let sandbox = try PluginSandbox()
        let file = try sandbox.install(TestPlugins.cExample(), as: "libcexample.so")
        let host = sandbox.host()
        let reports = host.reload()
        let report = try #require(reports.first { $0.path == file })
        #expect(report.status == .loaded, "\(report)")
        let generation = host.current
        #expect(generation.number == 1)
        let uppercase = try #require(generation.registry.handler(for: "cexample.uppercase"))
        #expect(uppercase.origin == file)
        #expect(uppercase.schema.attributes.map(\.name) == ["from", "to"])
        #expect(generation.registry.handler(for: "uppercase") != nil, "an unambiguous alias is registered")
        let plugin = try #require(generation.plugins.first)
        #expect(plugin.id == "cexample" && plugin.version == "1.0.0" && plugin.toolchain.isEmpty)
        // Loaded from a content-addressed copy, never from the file a build writes to.
        #expect(plugin.stagedPath != file && plugin.stagedPath.hasSuffix(".so"))
        #expect(FileManager.default.contentsEqual(atPath: plugin.stagedPath, andPath: file))

        let dot = """
            digraph G {
                start [shape=Mdiamond]
                up [type="cexample.uppercase", from="greeting", to="shout"]
                pause [type="cexample.wait", delay_ms="3"]
                done [shape=Msquare]
                start -> up -> pause -> done
            }
            """
        let parsed = DOTParser.parse(dot, file: "plugin.dot")
        let graph = try #require(parsed.graph, "\(parsed.diagnostics)")
        let compiled = try GraphCompiler.compile(graph, registry: generation.registry)
        let result = await Engine().run(compiled, context: Context(["greeting": .string("hello, plugin")]))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["shout"] == .string("HELLO, PLUGIN"))
        #expect(result.context["waited_ms"] == .integer(3))
    }

    @Test func everyContextAccessorRoundTrips() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("types", source: CorpusSources.types), as: "libtypes.so")
        let host = sandbox.host()
        host.reload()
        let messages: [ContextValue] = (0..<50).map { .map(["role": .string($0 % 2 == 0 ? "user" : "assistant"), "content": .string("message \($0)")]) }
        let items: [ContextValue] = [.integer(1), .map(["k": .string("v")]), .null]
        // Lists as plugins and pipelines write them, then as a session seeds its history
        // (compact, `.messages`): the accessors must not tell them apart.
        for compact in [false, true] {
            let events = CollectingSink()
            let outcome = try await invoke(host.current.registry, "types.roundtrip", context: [
                "i": .integer(41), "d": .double(1.25), "b": .boolean(false),
                "j": compact ? .messages(MessageList(items)) : .list(items),
                "session.messages": compact ? .messages(MessageList(messages)) : .list(messages),
            ], attributes: [("mode", "fast")], events: events)
            #expect(outcome.status == .success, "\(outcome.failureReason ?? "")")
            let updates = outcome.contextUpdates
            #expect(updates["i2"] == .integer(42))
            #expect(updates["d2"] == .double(2.5))
            #expect(updates["b2"] == .boolean(true))
            #expect(updates["j2"] == .list(items), "compact: \(compact)")
            #expect(updates["n"] == .integer(3), "compact: \(compact)")
            #expect(updates["wrong_type"] == .integer(1))
            #expect(updates["missing"] == .integer(1))
            #expect(updates["messages"] == .integer(50), "compact: \(compact)")
            #expect(updates["last_role"] == .string("assistant"), "compact: \(compact)")
            #expect(updates["last_content"] == .string("message 49"), "compact: \(compact)")
            #expect(updates["mode"] == .string("fast"))
            #expect(outcome.preferredLabel == "done")
            #expect(outcome.notes == "round trip")
            let event = try #require(events.events.first)
            #expect(event.kind.rawValue == "types_seen" && event.fields["count"] == .integer(1) && event.fields["plugin"] == .string("types"))
        }

        let schema = try #require(host.current.registry.handler(for: "types.roundtrip")).schema
        #expect(schema.allowsUnlisted == false)
        #expect(schema.attributes == [AttributeSpec(name: "mode", type: .string, isRequired: true, summary: "a mode"),
                                      AttributeSpec(name: "limit", type: .duration, isRequired: false, summary: "how long")])
    }

    @Test func asynchronousPluginCompletesFromAnotherThread() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("threads", source: CorpusSources.threads), as: "libthreads.so")
        let host = sandbox.host()
        host.reload()
        // Each call's thread reads its own input after invoke returned: the request outlives the
        // frame that invoked the plugin.
        let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for index in 0..<16 {
                group.addTask { (index, try await invoke(host.current.registry, "threads.hop", context: ["input": .string("call \(index)")])) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 16)
        for (index, outcome) in outcomes {
            #expect(outcome.status == .success)
            #expect(outcome.contextUpdates["echo"] == .string("call \(index)"))
            #expect(outcome.contextUpdates["hopped"] == .string("yes"))
            #expect(outcome.contextUpdates["other_thread"] == .boolean(true))
        }
    }

    @Test func pluginAdapterAndLLMExtensionWorkTogether() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("adapters", source: CorpusSources.adapters), as: "libadapters.so")
        let host = sandbox.host()
        host.reload()
        let generation = host.current
        let adapter = try #require(generation.adapters["adapters.echo"])
        #expect(adapter.kind == .llm)
        let llm = try #require(adapter.llm)
        let direct = try await llm.complete(LLMRequest(prompt: "anything"))
        #expect(direct == LLMResponse(content: "echo from C"))

        // A C node calls the run's LLM adapter (here: the C adapter itself) through trellis.llm/1.
        let outcome = try await invoke(generation.registry, "adapters.ask", adapters: AdapterSet(llm: llm))
        #expect(outcome.status == .success, "\(outcome.failureReason ?? "")")
        #expect(outcome.contextUpdates["llm_answer"] == .map(["content": .string("echo from C"), "tool_calls": .list([])]))

        let without = try await invoke(generation.registry, "adapters.ask")
        #expect(without.status == .fail && without.failureReason == "no LLM adapter in this run")
    }

    @Test func memoryAndToolsAdaptersBothWays() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("memtools", source: CorpusSources.memoryAndTools), as: "libmemtools.so")
        let host = sandbox.host()
        let reports = host.reload()
        let generation = host.current
        let memory = try #require(generation.adapters["memtools.notes"]?.memory, "\(reports)")
        let tools = try #require(generation.adapters["memtools.shell"]?.tools)
        #expect(generation.adapters["notes"]?.kind == .memory, "an unambiguous adapter alias")
        let recalled = try await memory.recall(agentID: "ada", query: "drinks")
        #expect(recalled == [.map(["agent": .string("ada"), "memory": .string("likes tea")])])
        await #expect(throws: PluginAdapterError.self) { try await memory.update(agentID: "ada", entry: .string("x")) }
        #expect(try await tools.dispatch([.map(["name": .string("ls")])]) == [.string("tool ran")])

        let outcome = try await invoke(generation.registry, "memtools.remember", adapters: AdapterSet(memory: memory, tools: tools))
        #expect(outcome.status == .success, "\(outcome.failureReason ?? "")")
        #expect(outcome.contextUpdates["memories"] == .list(recalled))
        #expect(outcome.contextUpdates["tool_results"] == .list([.string("tool ran")]))
    }

    @Test func inspectReportsIdentityAndSchemas() throws {
        let sandbox = try PluginSandbox()
        let file = try sandbox.install(TestPlugins.library("types", source: CorpusSources.types), as: "libtypes.so")
        let info = try PluginLoader.inspect(file: file, staging: sandbox.staging).get()
        #expect(info.id == "types" && info.version == "2.1.0" && info.abiMajor == 1 && info.abiMinor == 4)
        #expect(info.nodeTypes.map(\.qualifiedID) == ["types.roundtrip"])
        #expect(info.nodeTypes.first?.isThreadSafe == true && info.nodeTypes.first?.isAsynchronous == false)
    }

    @Test func searchPathCombinesCommandLineAndEnvironment() {
        let directories = PluginSearchPath.directories(commandLine: ["/a", "/b/"], environmentValue: "/c::/a")
        #expect(directories == ["/a", "/b", "/c"])
    }
}

/// Keeps the events a run emits.
final class CollectingSink: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RunEvent] = []

    func emit(_ event: RunEvent) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    var events: [RunEvent] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
