import TrellisPluginKit

/// `session.memory_update`: records the turn (`input`, `response`, `input_type`, `turn`) with
/// the run's memory adapter for `session.agent_id`.
struct MemoryUpdateNode: AsyncNodeHandler {
    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        let entry: PluginValue = [
            "input": call.value(SessionKey.input) ?? "",
            "response": call.value(SessionKey.response) ?? "",
            "input_type": call.value(SessionKey.inputType) ?? "",
            "turn": call.value(SessionKey.turnCount) ?? 0,
        ]
        try await call.memory.update(agentID: call.text(SessionKey.agentID), entry: entry)
        return .success()
    }
}
