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
    /// The memories when they are at hand without waiting; nil to answer through
    /// `recall(agentID:query:)`. Asked first by callers outside a task, as
    /// `LLMAdapter.completeImmediately(_:)` is. Never block here. The default returns nil.
    func recallImmediately(agentID: String, query: String) throws -> [ContextValue]?
    /// Records `entry` when that needs no waiting and returns true; false to record it through
    /// `update(agentID:entry:)`. Never block here. The default returns false.
    func updateImmediately(agentID: String, entry: ContextValue) throws -> Bool
}

extension MemoryAdapter {
    /// Never answers at once: every recall goes to `recall(agentID:query:)`.
    public func recallImmediately(agentID: String, query: String) throws -> [ContextValue]? { nil }
    /// Never records at once: every entry goes to `update(agentID:entry:)`.
    public func updateImmediately(agentID: String, entry: ContextValue) throws -> Bool { false }
}
