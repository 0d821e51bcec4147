/// Long-term memory for an agent.
///
/// The engine never calls it; it is declared here because `AdapterSet`, which every
/// `HandlerRequest` carries, holds one, and the handlers that do call it live both in the
/// plugin host (plugin nodes) and in sessions.
public protocol MemoryAdapter: Sendable {
    /// Memories relevant to `query` for `agentID`.
    func recall(agentID: String, query: String) async throws -> [ContextValue]
    /// Records what happened in a turn.
    func update(agentID: String, entry: ContextValue) async throws
}
