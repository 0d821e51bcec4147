import Synchronization
import TrellisEngine

/// The adapters sessions can be configured with, by name: the built-in ones and any
/// registered later (by the plugin host's generations, or by an embedder).
///
/// A session chooses by its config: `llm_adapter` (default `simulated`), `memory_adapter`
/// (default `in_memory`; `none` for no memory), `tools_adapter` (default `none`). The built-in
/// simulated LLM takes `llm_latency_ms` and `heartbeat_llm_latency_ms` from the config.
public final class AdapterCatalog: Sendable {
    /// A named adapter.
    public enum Entry: Sendable {
        /// A language model.
        case llm(any LLMAdapter)
        /// A memory.
        case memory(any MemoryAdapter)
        /// Tools.
        case tools(any ToolsAdapter)
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Creates a catalog of the built-in adapters only.
    public init() {}

    /// Adds or replaces the adapter called `name`.
    public func register(_ name: String, _ entry: Entry) { entries.withLock { $0[name] = entry } }

    /// Replaces every registered adapter (a new plugin generation).
    public func replaceAll(_ newEntries: [String: Entry]) { entries.withLock { $0 = newEntries } }

    /// Registered names (built-ins not included), sorted.
    public var names: [String] { entries.withLock { $0.keys.sorted() } }

    /// The adapters `configuration` asks for. Throws naming an unknown adapter and the known ones.
    func adapters(
        for configuration: SessionConfiguration, startCount: Int, defaultLatency: Duration, store: SessionStore?
    ) throws(SessionError) -> SessionAdapters {
        let config = configuration.config
        let registered = entries.withLock { $0 }
        func milliseconds(_ key: String) -> Duration? {
            if case .integer(let value)? = config[key], value >= 0 { return .milliseconds(value) }
            return nil
        }
        let latency = milliseconds("llm_latency_ms") ?? defaultLatency
        var names: [AdapterKind: String] = [:]
        var set = AdapterSet()

        let llmName = config["llm_adapter"]?.stringValue ?? "simulated"
        if llmName == "simulated" {
            var byKind: [String: Duration] = [:]
            if let slow = milliseconds("heartbeat_llm_latency_ms") { byKind["heartbeat"] = slow }
            set.llm = SimulatedSessionLLM(latency: latency, latencyByRunKind: byKind, start: startCount)
        } else if llmName != "none" {
            guard case .llm(let adapter)? = registered[llmName] else { throw unknown("llm", llmName, registered) }
            set.llm = adapter
        }
        names[.llm] = llmName

        let memoryName = config["memory_adapter"]?.stringValue ?? "in_memory"
        if memoryName == "in_memory" {
            set.memory = InMemoryMemory(recallLatency: latency / 10)
        } else if memoryName != "none" {
            guard case .memory(let adapter)? = registered[memoryName] else { throw unknown("memory", memoryName, registered) }
            set.memory = adapter
        }
        names[.memory] = memoryName

        let toolsName = config["tools_adapter"]?.stringValue ?? "none"
        if toolsName != "none" {
            guard case .tools(let adapter)? = registered[toolsName] else { throw unknown("tools", toolsName, registered) }
            set.tools = adapter
        }
        names[.tools] = toolsName
        if store != nil { names[.checkpoint] = "store" }
        return SessionAdapters(set: set, checkpoint: store, names: names)
    }

    private func unknown(_ kind: String, _ name: String, _ registered: [String: Entry]) -> SessionError {
        let builtIn: [String]
        switch kind {
        case "llm": builtIn = ["simulated", "none"]
        case "memory": builtIn = ["in_memory", "none"]
        default: builtIn = ["none"]
        }
        let known = builtIn + registered.compactMap { entry -> String? in
            switch (kind, entry.value) {
            case ("llm", .llm), ("memory", .memory), ("tools", .tools): return entry.key
            default: return nil
            }
        }.sorted()
        return .configuration("no \(kind) adapter named '\(name)'; known: \(known.joined(separator: ", "))")
    }
}
