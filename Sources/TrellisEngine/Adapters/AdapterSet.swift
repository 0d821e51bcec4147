/// The adapters a run uses. `nil` means the run has none of that kind; a node that needs
/// one fails with a message naming it.
public struct AdapterSet: Sendable {
    /// The language model.
    public var llm: (any LLMAdapter)?
    /// Long-term memory.
    public var memory: (any MemoryAdapter)?
    /// Tools.
    public var tools: (any ToolsAdapter)?

    /// Creates an adapter set.
    public init(llm: (any LLMAdapter)? = nil, memory: (any MemoryAdapter)? = nil, tools: (any ToolsAdapter)? = nil) {
        self.llm = llm
        self.memory = memory
        self.tools = tools
    }
}
