/// A language model a plugin provides (adapter kind `llm`).
///
/// Called concurrently from many sessions; each call runs in its own task, cancelled when
/// the host no longer wants the answer. Wait with `HostTimer.sleep(for:)` or real I/O, never
/// by blocking a thread.
public protocol PluginLLMAdapter: Sendable {
    /// Answers one request.
    func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion
}

/// Long-term memory a plugin provides (adapter kind `memory`). Concurrency as for `PluginLLMAdapter`.
public protocol PluginMemoryAdapter: Sendable {
    /// Memories relevant to `query` for `agentID`.
    func recall(agentID: String, query: String) async throws -> [PluginValue]
    /// Records what happened in a turn.
    func update(agentID: String, entry: PluginValue) async throws
}

/// Tools a plugin provides (adapter kind `tools`). Concurrency as for `PluginLLMAdapter`.
public protocol PluginToolsAdapter: Sendable {
    /// Runs each call (`{name, arguments}`) and returns one result per call, in order.
    func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue]
}

/// An adapter a plugin exports. The host registers it as `<plugin id>.<name>`; a session
/// configured with that name uses it.
public struct AdapterDefinition: Sendable {
    /// The name within the plugin (`llm`, `memory`, ...); unique within the plugin across kinds.
    public var name: String
    /// One line describing the adapter.
    public var description: String
    /// The adapter.
    let adapter: Adapter

    /// The three kinds of adapter.
    enum Adapter: Sendable {
        case llm(any PluginLLMAdapter)
        case memory(any PluginMemoryAdapter)
        case tools(any PluginToolsAdapter)
    }

    /// An LLM adapter.
    public static func llm(_ name: String, _ adapter: some PluginLLMAdapter, description: String = "") -> AdapterDefinition {
        AdapterDefinition(name: name, description: description, adapter: .llm(adapter))
    }

    /// A memory adapter.
    public static func memory(_ name: String, _ adapter: some PluginMemoryAdapter, description: String = "") -> AdapterDefinition {
        AdapterDefinition(name: name, description: description, adapter: .memory(adapter))
    }

    /// A tools adapter.
    public static func tools(_ name: String, _ adapter: some PluginToolsAdapter, description: String = "") -> AdapterDefinition {
        AdapterDefinition(name: name, description: description, adapter: .tools(adapter))
    }
}
