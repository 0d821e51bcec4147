import Foundation
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisSession

/// `trellis bench swift-plugins`: the cost of running session node types from the shipped
/// Swift plugins (TrellisPluginKit over the C ABI) beside the same types built in
/// (benchmark 8, "plugin path", measured on the engine without the session actor): the same
/// turn graph and the same built-in adapters, only the node types differ. A third turn adds
/// the mock plugin adapters, for what adapters from plugins cost.
///
/// Needs `libTrellisStandardPlugin.so` and `libTrellisMockAdapters.so`: looked up in
/// `TRELLIS_PLUGIN_PATH`, else beside this executable (where `swift build -c release` puts them).
struct SwiftPluginBench: BenchSuite {
    package static let name = "swift-plugins"
    package static let summary = "session node types from the Swift plugins vs built in (benchmark 8)"

    private static let libraries = ["libTrellisStandardPlugin.so", "libTrellisMockAdapters.so"]

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        try await Task.detached { try await measure(options) }.value
    }

    private static func measure(_ options: BenchOptions) async throws -> [BenchResult] {
        let workspace = try PluginBench.Workspace()
        defer { workspace.remove() }
        let host = try loadPlugins(into: workspace)
        let generation = host.current
        let pluginAdapters = AdapterSet(llm: generation.adapters["mock.llm"]?.llm, memory: generation.adapters["mock.memory"]?.memory)
        // Benchmark 1's adapters, fresh for each measured conversation so that both start alike.
        let builtinAdapters = { AdapterSet(llm: SimulatedSessionLLM(), memory: InMemoryMemory()) }
        let builtinTurn = try SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "<turn>", registry: SessionHandlers.registry)
        let pluginTurn = try SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "<turn>", registry: generation.registry)
        var results: [BenchResult] = []

        // As benchmark 1: one warm-up turn, then 100 timed turns of one conversation. Benchmark
        // 8 swaps the node types only: both turns use benchmark 1's built-in adapters, so the
        // plugin turn recalls and records the same memories as the built-in one. (Until
        // 2026-11-27 the plugin turn used the mock plugin adapters, whose memory recalls
        // nothing: less work than the turn it was compared with. That turn is the third row.)
        let turns = options.quick ? 20 : 100
        let builtinSamples = try await turnSamples(builtinTurn, adapters: builtinAdapters(), count: turns)
        let pluginSamples = try await turnSamples(pluginTurn, adapters: builtinAdapters(), count: turns)
        let allPluginSamples = try await turnSamples(pluginTurn, adapters: pluginAdapters, count: turns)
        let builtinMedian = Measure.median(builtinSamples)
        let pluginMedian = Measure.median(pluginSamples)
        let allPluginMedian = Measure.median(allPluginSamples)
        results.append(BenchResult(name: "8 turn on built-in session types", value: builtinMedian, unit: "us",
                                   detail: String(format: "p99 %.1f us, %d turns, built-in adapters", Measure.percentile(builtinSamples, 99), turns)))
        // Issue 11's target: at most 8 us and within 1.2x of the same turn on the built-in types.
        results.append(BenchResult(name: "8 turn on Swift plugin types", value: pluginMedian, unit: "us",
                                   detail: String(format: "p99 %.1f us, %.2fx built in, the same built-in adapters; reference 7.7 ms",
                                                  Measure.percentile(pluginSamples, 99), pluginMedian / builtinMedian),
                                   target: "<= 8 us and <= 1.2x built in",
                                   meetsTarget: pluginMedian <= 8 && pluginMedian <= 1.2 * builtinMedian))
        results.append(BenchResult(name: "8 turn on Swift plugin types and adapters", value: allPluginMedian, unit: "us",
                                   detail: String(format: "p99 %.1f us, %.2fx built in; the mock plugin adapters (its memory recalls nothing)",
                                                  Measure.percentile(allPluginSamples, 99), allPluginMedian / builtinMedian)))

        // As benchmark 2: 200 turns (400 messages), all through plugins: the plugin LLM adapter is
        // handed the history.
        let growth = try await turnSamples(pluginTurn, adapters: pluginAdapters, count: options.quick ? 60 : 200)
        let first = Measure.median(Array(growth.prefix(50)))
        let last = Measure.median(Array(growth.suffix(50)))
        results.append(BenchResult(name: "8 plugin turn history growth last/first", value: last / first, unit: "x",
                                   detail: String(format: "first 50 median %.1f us, last 50 median %.1f us; reference 2.2x", first, last),
                                   target: "<= 1.05x", meetsTarget: last / first <= 1.05))

        // One synchronous node, called directly: what the C ABI and the SDK add per call.
        let calls = options.quick ? 2_000 : 100_000
        let builtinNode = try await nodeCost(SessionHandlers.registry, calls: calls)
        let pluginNode = try await nodeCost(generation.registry, calls: calls)
        results.append(BenchResult(name: "session.classify per call, built in", value: builtinNode, unit: "us",
                                   detail: "median of 20 batches of \(calls / 20)"))
        results.append(BenchResult(name: "session.classify per call, Swift plugin", value: pluginNode, unit: "us",
                                   detail: String(format: "+%.0f ns over built in", (pluginNode - builtinNode) * 1_000)))
        return results
    }

    /// A host over `workspace`, holding copies of the two plugin libraries.
    private static func loadPlugins(into workspace: PluginBench.Workspace) throws -> PluginHost {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidates = PluginSearchPath.directories(commandLine: []) + [(executable as NSString).deletingLastPathComponent]
        let plugins = try workspace.pluginDirectory("plugins")
        for library in libraries {
            guard let source = candidates.map({ $0 + "/" + library }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw BenchFailure("\(library) not found in \(candidates.joined(separator: ", ")); build it with 'swift build -c release' or set TRELLIS_PLUGIN_PATH")
            }
            try workspace.copy(source, to: plugins + "/" + library)
        }
        let host = PluginHost(directories: [plugins], builtins: .builtin, staging: workspace.staging)
        let failures = host.reload().filter { $0.status == .failed }
        guard failures.isEmpty else { throw BenchFailure("plugins failed to load: \(failures.map(\.description).joined(separator: "; "))") }
        return host
    }

    private static func turnSamples(_ graph: CompiledGraph, adapters: AdapterSet, count: Int) async throws -> [Double] {
        let engine = Engine()
        // The history as a session keeps it (one compact list, shared with the run, not copied).
        var messages = MessageList()
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        for turn in 0...count {
            let context = Context([
                "session.input": .string("message \(turn)"), "session.id": .string("bench"), "session.agent_id": .string("agent"),
                "session.turn_count": .integer(turn), "session.messages": .messages(messages), "session.cognitive_mode": .string("reflection"),
            ])
            let start = clock.now
            let result = await engine.run(graph, context: context, adapters: adapters)
            let elapsed = clock.now - start
            guard result.status == .success else { throw BenchFailure("turn \(turn) failed: \(result.failureReason ?? "")") }
            if turn > 0 { samples.append(Measure.microseconds(elapsed)) }  // turn 0 warms up
            messages.append(role: "user", content: "message \(turn)")
            messages.append(role: "assistant", content: result.context["session.response"]?.stringValue ?? "")
        }
        return samples
    }

    private static func nodeCost(_ registry: HandlerRegistry, calls: Int) async throws -> Double {
        guard let handler = registry.handler(for: "session.classify")?.handler else {
            throw BenchFailure("session.classify is not registered")
        }
        let request = HandlerRequest(node: NodeSpec(id: "classify", type: "session.classify", attributes: Attributes(), index: 0),
                                     context: Context(["session.input": .string("what is the weather like")]),
                                     adapters: AdapterSet(), services: RunServices())
        let batch = max(calls / 20, 1)
        var perCall: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<20 {
            let start = clock.now
            for _ in 0..<batch { _ = try await handler.execute(request) }
            perCall.append(Measure.microseconds(clock.now - start) / Double(batch))
        }
        return Measure.median(perCall)
    }
}
