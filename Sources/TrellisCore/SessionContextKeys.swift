/// The context keys a session seeds into every run and the keys its node types write: the one
/// list of these names. The host's sessions (TrellisSession's `SessionKeys`), the engine's plugin
/// calls and the standard plugin all spell them from here; graph authors and plugin handlers read
/// and write these names.
public enum SessionContextKeys {
    // Seeded by the session before each turn or heartbeat.
    /// The user's message (turns only).
    public static let input = "session.input"
    /// The conversation so far, a list of `{role, content}` maps: a session's own `.messages`
    /// (its compact buffer, shared, never copied per turn), or a `.list` a plugin wrote.
    public static let messages = "session.messages"
    /// The agent's working memory (a map).
    public static let workingMemory = "session.working_memory"
    /// Active goals (a list of maps, each with an `id`).
    public static let goals = "session.goals"
    /// The current cognitive mode.
    public static let cognitiveMode = "session.cognitive_mode"
    /// Turns completed before this one.
    public static let turnCount = "session.turn_count"
    /// The session type name.
    public static let sessionType = "session.type"
    /// The session phase when the run started.
    public static let phase = "session.phase"
    /// The trace id.
    public static let traceID = "session.trace_id"
    /// Session settings (a map).
    public static let config = "session.config"
    /// The signal topic.
    public static let signalTopic = "session.signal_topic"
    /// The session id.
    public static let sessionID = "session.id"
    /// The owning agent.
    public static let agentID = "session.agent_id"
    /// The trust tier.
    public static let trustTier = "session.trust_tier"
    /// `turn` or `heartbeat`: which graph is running.
    public static let runKind = "session.run_kind"

    // Written by the handlers.
    /// `command`, `blocked`, `tool_result` or `query` (session.classify).
    public static let inputType = "session.input_type"
    /// Memories recalled for the input (session.memory_recall).
    public static let recalledMemories = "session.recalled_memories"
    /// `text` or `tool_call` (session.llm_call).
    public static let responseType = "llm.response_type"
    /// The model's text answer (session.llm_call).
    public static let llmContent = "llm.content"
    /// The model's tool calls (session.llm_call).
    public static let toolCalls = "llm.tool_calls"
    /// Tool results (session.tool_dispatch).
    public static let toolResults = "session.tool_results"
    /// The reply returned to the user (session.format).
    public static let response = "session.response"
    /// When the last checkpoint was taken (session.checkpoint).
    public static let lastCheckpoint = "session.last_checkpoint"
    /// Heartbeat output: goals to update, matched by `id` and merged field by field.
    public static let goalUpdates = "session.goal_updates"
    /// Heartbeat output: goals to append.
    public static let newGoals = "session.new_goals"
}
