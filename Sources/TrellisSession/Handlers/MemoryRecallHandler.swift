import TrellisEngine

/// `session.memory_recall`: asks the memory adapter for memories relevant to the input and
/// writes them to `session.recalled_memories`.
public struct MemoryRecallHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.memory_recall`.
    public static let registration = RegisteredHandler(
        typeID: "session.memory_recall", handler: MemoryRecallHandler(),
        summary: "recall memories for the input through the memory adapter")

    /// Recalls memories for `session.agent_id` and `session.input`.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard let memory = request.adapters.memory else {
            return .failure(SessionHandlers.missingAdapter("memory", node: request.node))
        }
        let memories = try await memory.recall(
            agentID: request.context.string(SessionKeys.agentID), query: request.context.string(SessionKeys.input))
        return .success([SessionKeys.recalledMemories: .list(memories)])
    }
}
