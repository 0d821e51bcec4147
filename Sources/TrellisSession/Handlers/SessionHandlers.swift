import TrellisEngine
import TrellisSessionNodes

/// The built-in session node types (see `docs/protocol.md` and the session graphs in `Graphs/session`).
public enum SessionHandlers {
    /// Every session registration.
    public static let all: [RegisteredHandler] = [
        ClassifyHandler.registration,
        MemoryRecallHandler.registration,
        ModeSelectHandler.registration,
        LLMCallHandler.registration,
        ToolDispatchHandler.registration,
        FormatHandler.registration,
        MemoryUpdateHandler.registration,
        CheckpointHandler.registration,
        MemoryConsolidateHandler.registration,
    ]

    /// The adapter each session node type needs, checked when a session starts so that a
    /// missing adapter is reported then rather than in the middle of a turn.
    /// `session.tool_dispatch` is not listed: a turn graph with a tool loop runs without a
    /// tools adapter, the model is then offered no tools, and a model that asks for one anyway
    /// fails its turn naming the missing adapter.
    public static let requiredAdapters: [String: AdapterKind] = [
        "session.memory_recall": .memory,
        "session.llm_call": .llm,
        "session.memory_update": .memory,
        "session.checkpoint": .checkpoint,
        "session.memory_consolidate": .memory,
    ]

    /// The built-in registry plus the session types (generation 0).
    public static var registry: HandlerRegistry { HandlerRegistry.builtin.adding(all, generation: 0) }

    static func missingAdapter(_ kind: String, node: NodeSpec) -> String {
        SessionNodes.missingAdapter(kind, nodeID: node.id, type: node.type)
    }
}

/// The kinds of adapter a session can have.
public enum AdapterKind: String, Sendable, Hashable, CaseIterable {
    /// A language model.
    case llm
    /// Long-term memory.
    case memory
    /// Tools.
    case tools
    /// Checkpoint storage.
    case checkpoint
}
