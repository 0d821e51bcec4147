import TrellisPluginKit

/// `session.memory_recall`: asks the run's memory adapter for memories relevant to
/// `session.input` for `session.agent_id`; writes `session.recalled_memories`.
struct MemoryRecallNode: AsyncNodeHandler {
    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        let memories = try await call.memory.recall(
            agentID: call.text(SessionContextKeys.agentID), query: call.text(SessionContextKeys.input))
        return .success([SessionContextKeys.recalledMemories: .list(memories)])
    }
}
