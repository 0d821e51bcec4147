import CTrellisPlugin

/// A language model a plugin provides (adapter kind `llm`).
///
/// Called concurrently from many sessions; each call runs in its own task, cancelled when
/// the host no longer wants the answer. Wait with `HostTimer.sleep(for:)` or real I/O, never
/// by blocking a thread.
///
/// Implement `complete(_:)`, or, to stream the answer or read the conversation by accessor
/// (ABI 1.1), `complete(_:context:)`; the host calls the latter, which by default calls the former.
///
/// An adapter that can sometimes answer without waiting (a cache hit, a scripted or
/// in-memory model) also implements `completeImmediately(_:context:)`: the SDK asks it first,
/// on the host's thread, and starts a task for `complete(_:context:)` only when it returns
/// nil. A task per operation is most of what an operation that never waits costs.
public protocol PluginLLMAdapter: Sendable {
    /// Answers one request.
    func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion
    /// Answers one request, publishing pieces with `context.delta(_:)` when
    /// `context.isStreaming`; the returned content must equal their concatenation.
    func complete(_ request: LLMCompletionRequest, context: LLMCompletionContext) async throws -> LLMCompletion
    /// The answer when it is at hand without waiting; nil to answer through
    /// `complete(_:context:)` instead. Runs on the host's calling thread: never block or
    /// sleep here. The default returns nil.
    func completeImmediately(_ request: LLMCompletionRequest, context: LLMCompletionContext) throws -> LLMCompletion?
}

extension PluginLLMAdapter {
    /// Never answers at once: every request goes to `complete(_:context:)`.
    public func completeImmediately(_ request: LLMCompletionRequest, context: LLMCompletionContext) throws -> LLMCompletion? { nil }

    /// Answers without streaming (adapters written before ABI 1.1 implement only `complete(_:)`).
    public func complete(_ request: LLMCompletionRequest, context: LLMCompletionContext) async throws -> LLMCompletion {
        try await complete(request)
    }

    /// For adapters that implement only `complete(_:context:)`, which is what the host calls.
    public func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        throw PluginError("\(type(of: self)) implements neither complete(_:) nor complete(_:context:)")
    }
}

/// Long-term memory a plugin provides (adapter kind `memory`). Concurrency, and answering
/// without waiting (the `…Immediately` requirements), as for `PluginLLMAdapter`.
public protocol PluginMemoryAdapter: Sendable {
    /// Memories relevant to `query` for `agentID`.
    func recall(agentID: String, query: String) async throws -> [PluginValue]
    /// Records what happened in a turn.
    func update(agentID: String, entry: PluginValue) async throws
    /// The memories when they are at hand without waiting; nil to answer through
    /// `recall(agentID:query:)`. Never block here. The default returns nil.
    func recallImmediately(agentID: String, query: String) throws -> [PluginValue]?
    /// Records `entry` when that needs no waiting and returns true; false to record it through
    /// `update(agentID:entry:)`. Never block here. The default returns false.
    func updateImmediately(agentID: String, entry: PluginValue) throws -> Bool
}

extension PluginMemoryAdapter {
    /// Never answers at once: every recall goes to `recall(agentID:query:)`.
    public func recallImmediately(agentID: String, query: String) throws -> [PluginValue]? { nil }
    /// Never records at once: every entry goes to `update(agentID:entry:)`.
    public func updateImmediately(agentID: String, entry: PluginValue) throws -> Bool { false }
}

/// Tools a plugin provides (adapter kind `tools`). Concurrency, and answering without waiting,
/// as for `PluginLLMAdapter`.
public protocol PluginToolsAdapter: Sendable {
    /// Runs each call (`{name, arguments}`) and returns one result per call, in order.
    func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue]
    /// The results when they are at hand without waiting; nil to run the calls through
    /// `dispatch(_:)`. Never block here. The default returns nil.
    func dispatchImmediately(_ calls: [PluginValue]) throws -> [PluginValue]?
}

extension PluginToolsAdapter {
    /// Never answers at once: every batch goes to `dispatch(_:)`.
    public func dispatchImmediately(_ calls: [PluginValue]) throws -> [PluginValue]? { nil }
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
    /// `trellis_adapter.flags` (ABI 1.1).
    var flags: UInt32 = 0

    /// The three kinds of adapter.
    enum Adapter: Sendable {
        case llm(any PluginLLMAdapter)
        case memory(any PluginMemoryAdapter)
        case tools(any PluginToolsAdapter)
    }

    /// An LLM adapter. With `messagesByAccessor` the request's `messages` stay empty and the
    /// adapter reads the conversation from its `LLMCompletionContext`, so starting a request
    /// does not cost more as the history grows.
    public static func llm(_ name: String, _ adapter: some PluginLLMAdapter, description: String = "",
                           messagesByAccessor: Bool = false) -> AdapterDefinition {
        // The request is always read typed (ABI 1.3): the SDK reads it for the adapter.
        AdapterDefinition(name: name, description: description, adapter: .llm(adapter),
                          flags: UInt32(TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR)
                              | (messagesByAccessor ? UInt32(TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR) : 0))
    }

    /// A memory adapter.
    public static func memory(_ name: String, _ adapter: some PluginMemoryAdapter, description: String = "") -> AdapterDefinition {
        // Map entries are read as fields (ABI 1.3): the SDK reads them for the adapter.
        AdapterDefinition(name: name, description: description, adapter: .memory(adapter), flags: UInt32(TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR))
    }

    /// A tools adapter.
    public static func tools(_ name: String, _ adapter: some PluginToolsAdapter, description: String = "") -> AdapterDefinition {
        AdapterDefinition(name: name, description: description, adapter: .tools(adapter))
    }
}
