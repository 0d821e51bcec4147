/// What a session is doing right now. Phases are true: `processing` exactly while a turn
/// runs, `awaitingLLM` while the turn's LLM adapter is being called, `awaitingTools` while
/// its tools adapter is.
public enum SessionPhase: String, Sendable, Hashable, CaseIterable {
    /// No turn is running.
    case idle
    /// A turn is running its graph.
    case processing
    /// A turn is waiting for tool results.
    case awaitingTools = "awaiting_tools"
    /// A turn is waiting for the language model.
    case awaitingLLM = "awaiting_llm"
}

/// What a session is for. Types differ in their heartbeat defaults (see `HeartbeatSettings`).
public enum SessionType: String, Sendable, Hashable, CaseIterable {
    /// A conversation with a person.
    case primary
    /// Work an agent does on its own.
    case background
    /// Work handed to another agent.
    case delegation
    /// A question put to another agent.
    case consultation

    /// Parses a type name, with an error that lists the valid ones.
    public static func named(_ name: String) throws(SessionError) -> SessionType {
        guard let type = SessionType(rawValue: name) else {
            throw SessionError.invalidArgument(
                "unknown session type '\(name)'; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return type
    }
}

/// What a message that arrives while a turn is running does.
public enum TurnPolicy: String, Sendable, Hashable, CaseIterable {
    /// Waits its turn; turns run one at a time in arrival order (the default).
    case enqueue
    /// Is refused with `SessionError.busy`.
    case reject
    /// Cancels the running turn (which fails with `SessionError.interrupted`) and runs next.
    case interrupt
}
