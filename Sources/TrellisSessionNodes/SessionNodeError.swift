/// Why a session node could not do its work, thrown by a `SessionNodeCall` conformance.
public enum SessionNodeError: Error, Sendable, Equatable {
    /// The run has no adapter of this kind (`llm`, `memory`, `tools`).
    case missingAdapter(String)
}
