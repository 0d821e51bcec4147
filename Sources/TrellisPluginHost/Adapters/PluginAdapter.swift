public import TrellisEngine

/// An adapter a plugin provides, wrapped as the engine's adapter protocol of its kind.
public struct PluginAdapter: Sendable {
    /// Adapter kinds (the ABI's `TRELLIS_ADAPTER_*`).
    public enum Kind: String, Sendable, CaseIterable {
        /// A language model (`LLMAdapter`).
        case llm
        /// Long-term memory (`MemoryAdapter`).
        case memory
        /// Tool dispatch (`ToolsAdapter`).
        case tools
    }

    /// The qualified name runs select it by (`<plugin id>.<name>`).
    public let name: String
    /// Its kind; exactly the matching one of `llm`, `memory`, `tools` is set.
    public let kind: Kind
    /// One line.
    public let summary: String
    /// The plugin file it comes from.
    public let origin: String
    /// The adapter when `kind == .llm`.
    public let llm: (any LLMAdapter)?
    /// The adapter when `kind == .memory`.
    public let memory: (any MemoryAdapter)?
    /// The adapter when `kind == .tools`.
    public let tools: (any ToolsAdapter)?

    init(name: String, summary: String, origin: String, function: PluginAdapterFunctions) {
        self.name = name
        self.summary = summary
        self.origin = origin
        self.kind = function.kind
        llm = function.kind == .llm ? PluginLLMBridge(function: function) : nil
        memory = function.kind == .memory ? PluginMemoryBridge(function: function) : nil
        tools = function.kind == .tools ? PluginToolsBridge(function: function) : nil
    }
}
