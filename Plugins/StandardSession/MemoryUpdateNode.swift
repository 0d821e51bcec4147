import TrellisPluginKit

/// `session.memory_update`: records the turn (`input`, `response`, `input_type`, `turn`) with
/// the run's memory adapter for `session.agent_id`.
struct MemoryUpdateNode: AsyncNodeHandler {
    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        let entry: PluginValue = [
            "input": call.value(SessionContextKeys.input) ?? "",
            "response": call.value(SessionContextKeys.response) ?? "",
            "input_type": call.value(SessionContextKeys.inputType) ?? "",
            "turn": call.value(SessionContextKeys.turnCount) ?? 0,
        ]
        try await call.memory.update(agentID: call.text(SessionContextKeys.agentID), entry: entry)
        return .success()
    }
}
