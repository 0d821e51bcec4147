import Synchronization
import TrellisEngine

/// The adapters sessions can be configured with, by name: the built-in ones, the host's own
/// (a provider, the SQLite memory, declared tools: `register`), and the plugins' (replaced
/// with every plugin generation: `replacePluginAdapters`).
///
/// A session chooses by its config: `llm_adapter`, `memory_adapter`, `tools_adapter`. Where
/// its config does not say, the default for its session type applies, then the catalog's
/// default (`setDefault`), then the built-in one: `simulated`, `in_memory`, `none`. `none`
/// means no adapter of that kind. The built-in simulated LLM takes `llm_latency_ms` and
/// `heartbeat_llm_latency_ms` from the config.
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

    private struct Tables {
        var host: [String: Entry] = [:]
        var plugins: [String: Entry] = [:]
        /// Default names by kind (`llm`, `memory`, `tools`), for every session type (key `""`) or one.
        var defaults: [String: [String: String]] = [:]

        var merged: [String: Entry] { host.merging(plugins) { own, _ in own } }
    }

    private let tables = Mutex(Tables())

    /// Creates a catalog of the built-in adapters only.
    public init() {}

    /// Adds or replaces the host's adapter called `name`; plugin generations leave it in place.
    public func register(_ name: String, _ entry: Entry) { tables.withLock { $0.host[name] = entry } }

    /// Replaces every plugin adapter (a new plugin generation).
    public func replacePluginAdapters(_ newEntries: [String: Entry]) { tables.withLock { $0.plugins = newEntries } }

    /// Makes `name` the adapter of `kind` (`llm`, `memory` or `tools`) for sessions whose
    /// config names none: of `sessionType`, or of every type when it is `nil`.
    public func setDefault(_ kind: AdapterKind, _ name: String, for sessionType: SessionType? = nil) {
        tables.withLock { $0.defaults[sessionType?.rawValue ?? "", default: [:]][kind.rawValue] = name }
    }

    /// Registered names (built-ins not included), sorted.
    public var names: [String] { tables.withLock { $0.merged.keys.sorted() } }

    /// The adapters `configuration` asks for. Throws naming an unknown adapter and the known ones.
    func adapters(
        for configuration: SessionConfiguration, startCount: Int, defaultLatency: Duration, store: SessionStore?
    ) throws(SessionError) -> SessionAdapters {
        let config = configuration.config
        let (registered, defaults) = tables.withLock { ($0.merged, $0.defaults) }
        func chosen(_ kind: AdapterKind, builtIn: String) -> String {
            config[kind.rawValue + "_adapter"]?.stringValue
                ?? defaults[configuration.sessionType.rawValue]?[kind.rawValue]
                ?? defaults[""]?[kind.rawValue] ?? builtIn
        }
        func milliseconds(_ key: String) -> Duration? {
            if case .integer(let value)? = config[key], value >= 0 { return .milliseconds(value) }
            return nil
        }
        let latency = milliseconds("llm_latency_ms") ?? defaultLatency
        var names: [AdapterKind: String] = [:]
        var set = AdapterSet()

        let llmName = chosen(.llm, builtIn: "simulated")
        if llmName == "simulated" {
            var byKind: [String: Duration] = [:]
            if let slow = milliseconds("heartbeat_llm_latency_ms") { byKind["heartbeat"] = slow }
            set.llm = SimulatedSessionLLM(latency: latency, latencyByRunKind: byKind, start: startCount)
        } else if llmName != "none" {
            guard case .llm(let adapter)? = registered[llmName] else { throw unknown("llm", llmName, registered) }
            set.llm = adapter
        }
        names[.llm] = llmName

        let memoryName = chosen(.memory, builtIn: "in_memory")
        if memoryName == "in_memory" {
            set.memory = InMemoryMemory(recallLatency: latency / 10)
        } else if memoryName != "none" {
            guard case .memory(let adapter)? = registered[memoryName] else { throw unknown("memory", memoryName, registered) }
            set.memory = adapter
        }
        names[.memory] = memoryName

        let toolsName = chosen(.tools, builtIn: "none")
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
