/// The context keys the session seeds and its node types write (the same names as
/// TrellisSession's `SessionKeys`; a plugin does not link the host, so it spells them itself).
enum SessionKey {
    static let input = "session.input"
    static let messages = "session.messages"
    static let goals = "session.goals"
    static let cognitiveMode = "session.cognitive_mode"
    static let turnCount = "session.turn_count"
    static let config = "session.config"
    static let sessionID = "session.id"
    static let agentID = "session.agent_id"
    static let runKind = "session.run_kind"
    static let inputType = "session.input_type"
    static let recalledMemories = "session.recalled_memories"
    static let responseType = "llm.response_type"
    static let llmContent = "llm.content"
    static let toolCalls = "llm.tool_calls"
    static let toolResults = "session.tool_results"
    static let response = "session.response"
    static let lastCheckpoint = "session.last_checkpoint"

    /// The keys `session.checkpoint` puts in its snapshot (the ABI cannot list a context's keys).
    static let snapshotKeys = [
        "session.id", "session.agent_id", "session.type", "session.phase", "session.trace_id",
        "session.turn_count", "session.cognitive_mode", "session.goals", "session.working_memory",
        "session.input", "session.input_type", "session.response", "session.signal_topic",
    ]
}
