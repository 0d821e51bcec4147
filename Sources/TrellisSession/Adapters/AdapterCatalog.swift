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
        /// The plugin generation `plugins` came from (0: none published yet).
        var pluginGeneration: UInt64 = 0
        /// The generation before, kept for turns whose graphs were compiled against it.
        var previousPlugins: (generation: UInt64, entries: [String: Entry])?
        /// Default names by kind (`llm`, `memory`, `tools`), for every session type (key `""`) or one.
        var defaults: [String: [String: String]] = [:]

        var merged: [String: Entry] { host.merging(plugins) { own, _ in own } }
    }

    private let tables = LockedValue(Tables())

    /// Creates a catalog of the built-in adapters only.
    public init() {}

    /// Adds or replaces the host's adapter called `name`; plugin generations leave it in place.
    public func register(_ name: String, _ entry: Entry) { tables.withLock { $0.host[name] = entry } }

    /// Replaces every plugin adapter with those of plugin generation `generation`. Sessions
    /// using plugin adapters switch to them at their next turn boundary (`following`).
    public func replacePluginAdapters(_ newEntries: [String: Entry], generation: UInt64 = 0) {
        tables.withLock {
            $0.previousPlugins = ($0.pluginGeneration, $0.plugins)
            $0.plugins = newEntries
            $0.pluginGeneration = generation
        }
    }

    /// `adapters` with every adapter that came from a plugin replaced by the same name's
    /// adapter of plugin generation `generation`; `nil` when nothing changes (no plugin
    /// adapter, already that generation, or that generation is no longer known). A name the
    /// new generation lacks keeps its old adapter: a session is not left without one mid-life.
    func following(_ adapters: SessionAdapters, generation: UInt64) -> SessionAdapters? {
        guard !adapters.pluginNames.isEmpty, adapters.pluginGeneration != generation else { return nil }
        let table = tables.withLock { tables -> [String: Entry]? in
            if tables.pluginGeneration == generation { return tables.plugins }
            if let previous = tables.previousPlugins, previous.generation == generation { return previous.entries }
            return nil
        }
        guard let table else { return nil }
        var updated = adapters
        for (kind, name) in adapters.pluginNames {
            switch (kind, table[name]) {
            case (.llm, .llm(let adapter)?): updated.set.llm = adapter
            case (.memory, .memory(let adapter)?): updated.set.memory = adapter
            case (.tools, .tools(let adapter)?): updated.set.tools = adapter
            default: continue
            }
        }
        updated.pluginGeneration = generation
        return updated
    }

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
        let (registered, defaults, pluginTable, hostNames, pluginGeneration) = tables.withLock {
            ($0.merged, $0.defaults, $0.plugins, Set($0.host.keys), $0.pluginGeneration)
        }
        // Adapters chosen from a plugin follow plugin reloads (see `following`).
        var pluginNames: [AdapterKind: String] = [:]
        func noteIfPlugin(_ kind: AdapterKind, _ name: String) {
            if pluginTable[name] != nil && !hostNames.contains(name) { pluginNames[kind] = name }
        }
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
            noteIfPlugin(.llm, llmName)
        }
        names[.llm] = llmName

        let memoryName = chosen(.memory, builtIn: "in_memory")
        if memoryName == "in_memory" {
            set.memory = InMemoryMemory(recallLatency: latency / 10)
        } else if memoryName != "none" {
            guard case .memory(let adapter)? = registered[memoryName] else { throw unknown("memory", memoryName, registered) }
            set.memory = adapter
            noteIfPlugin(.memory, memoryName)
        }
        names[.memory] = memoryName

        let toolsName = chosen(.tools, builtIn: "none")
        if toolsName != "none" {
            guard case .tools(let adapter)? = registered[toolsName] else { throw unknown("tools", toolsName, registered) }
            set.tools = adapter
            noteIfPlugin(.tools, toolsName)
        }
        names[.tools] = toolsName
        if store != nil { names[.checkpoint] = "store" }
        var chosen = SessionAdapters(set: set, checkpoint: store, names: names)
        chosen.pluginNames = pluginNames
        chosen.pluginGeneration = pluginNames.isEmpty ? nil : pluginGeneration
        chosen.catalog = pluginNames.isEmpty ? nil : self
        return chosen
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
