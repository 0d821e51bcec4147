/// The adapters a run uses. `nil` means the run has none of that kind; a node that needs
/// one fails with a message naming it.
///
/// Every node's request carries the adapters, so they share one copy-on-write box: copying the
/// set costs one reference count, not one per adapter.
public struct AdapterSet: Sendable {
    /// The language model.
    public var llm: (any LLMAdapter)? {
        get { adapters.value.llm }
        set { adapters.modify { $0.llm = newValue } }
    }
    /// Long-term memory.
    public var memory: (any MemoryAdapter)? {
        get { adapters.value.memory }
        set { adapters.modify { $0.memory = newValue } }
    }
    /// Tools.
    public var tools: (any ToolsAdapter)? {
        get { adapters.value.tools }
        set { adapters.modify { $0.tools = newValue } }
    }

    private struct Adapters: Sendable {
        var llm: (any LLMAdapter)?
        var memory: (any MemoryAdapter)?
        var tools: (any ToolsAdapter)?
    }

    private var adapters: CopyOnWriteBox<Adapters>

    /// Creates an adapter set.
    public init(llm: (any LLMAdapter)? = nil, memory: (any MemoryAdapter)? = nil, tools: (any ToolsAdapter)? = nil) {
        adapters = CopyOnWriteBox(Adapters(llm: llm, memory: memory, tools: tools))
    }
}
