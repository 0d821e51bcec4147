import TrellisEngine

/// The adapters of one session, with the names they were chosen by (for `session.state`).
public struct SessionAdapters: Sendable {
    /// The LLM, memory and tools adapters handed to runs.
    public var set: AdapterSet
    /// Where `session.checkpoint` nodes store snapshots (`nil`: none).
    public var checkpoint: (any CheckpointAdapter)?
    /// The name of each configured adapter by kind (`llm: simulated`, ...).
    public var names: [AdapterKind: String]
    /// The kinds whose adapter came from a plugin, by name: they follow plugin reloads.
    public internal(set) var pluginNames: [AdapterKind: String] = [:]
    /// The plugin generation those adapters come from (`nil`: no adapter from a plugin).
    public internal(set) var pluginGeneration: UInt64?
    /// The catalog that chose them, asked for a newer generation's adapters at run boundaries.
    var catalog: AdapterCatalog?

    /// Creates adapters.
    public init(set: AdapterSet, checkpoint: (any CheckpointAdapter)? = nil, names: [AdapterKind: String] = [:]) {
        self.set = set
        self.checkpoint = checkpoint
        self.names = names
    }

    /// The built-in adapters: a simulated LLM answering "Response N" after `llmLatency`, an
    /// in-memory memory whose recall takes a tenth of that, no tools, and `checkpoint` if given.
    public static func builtIn(
        llmLatency: Duration = .zero, heartbeatLLMLatency: Duration? = nil, startCount: Int = 0,
        checkpoint: (any CheckpointAdapter)? = nil
    ) -> SessionAdapters {
        var byKind: [String: Duration] = [:]
        if let heartbeatLLMLatency { byKind["heartbeat"] = heartbeatLLMLatency }
        let llm = SimulatedSessionLLM(latency: llmLatency, latencyByRunKind: byKind, start: startCount)
        let memory = InMemoryMemory(recallLatency: llmLatency / 10)
        var names: [AdapterKind: String] = [.llm: "simulated", .memory: "in_memory"]
        if checkpoint != nil { names[.checkpoint] = "store" }
        return SessionAdapters(set: AdapterSet(llm: llm, memory: memory), checkpoint: checkpoint, names: names)
    }

    /// Whether an adapter of `kind` is present.
    public func has(_ kind: AdapterKind) -> Bool {
        switch kind {
        case .llm: return set.llm != nil
        case .memory: return set.memory != nil
        case .tools: return set.tools != nil
        case .checkpoint: return checkpoint != nil
        }
    }

    /// A description of each adapter `graph` needs and these adapters lack, naming the node; empty when none.
    public func missing(for graph: CompiledGraph, graphName: String) -> [String] {
        var problems: [String] = []
        for node in graph.nodes {
            guard let kind = SessionHandlers.requiredAdapters[node.spec.type], !has(kind) else { continue }
            problems.append("the \(graphName) graph's node '\(node.spec.id)' (\(node.spec.type)) needs a \(kind.rawValue) adapter, and the session has none")
        }
        return problems
    }
}
