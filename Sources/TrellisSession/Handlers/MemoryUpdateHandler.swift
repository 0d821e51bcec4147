import TrellisEngine

/// `session.memory_update`: records the turn (`input`, `response`, `input_type`, `turn`) with
/// the memory adapter for `session.agent_id`.
public struct MemoryUpdateHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.memory_update`.
    public static let registration = RegisteredHandler(
        typeID: "session.memory_update", handler: MemoryUpdateHandler(),
        summary: "record the turn with the memory adapter")

    /// Records the turn.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard let memory = request.adapters.memory else {
            return .failure(SessionHandlers.missingAdapter("memory", node: request.node))
        }
        let context = request.context
        let entry = ContextValue.map([
            "input": context[SessionKeys.input] ?? .string(""),
            "response": context[SessionKeys.response] ?? .string(""),
            "input_type": context[SessionKeys.inputType] ?? .string(""),
            "turn": context[SessionKeys.turnCount] ?? .integer(0),
        ])
        try await memory.update(agentID: context.string(SessionKeys.agentID), entry: entry)
        return .success()
    }
}
