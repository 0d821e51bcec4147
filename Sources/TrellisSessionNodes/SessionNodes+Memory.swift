import TrellisCore

extension SessionNodes {
    /// `session.memory_recall`: asks the memory adapter for memories relevant to
    /// `session.input` for `session.agent_id` and writes them to `session.recalled_memories`.
    public static func memoryRecall(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        let memories = try await call.recall(agentID: call.text(SessionContextKeys.agentID), query: call.text(SessionContextKeys.input))
        return .success([SessionContextKeys.recalledMemories: .list(memories)])
    }

    /// `session.memory_update`: records the turn (`input`, `response`, `input_type`, `turn`)
    /// with the memory adapter for `session.agent_id`.
    public static func memoryUpdate(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        let entry = ContextValue.map([
            "input": call.value(SessionContextKeys.input) ?? .string(""),
            "response": call.value(SessionContextKeys.response) ?? .string(""),
            "input_type": call.value(SessionContextKeys.inputType) ?? .string(""),
            "turn": call.value(SessionContextKeys.turnCount) ?? .integer(0),
        ])
        try await call.update(agentID: call.text(SessionContextKeys.agentID), entry: entry)
        return .success()
    }
}
