public import TrellisCore

extension SessionNodes {
    /// `session.memory_recall`: asks the memory adapter for memories relevant to
    /// `session.input` for `session.agent_id` and writes them to `session.recalled_memories`.
    @inlinable
    public nonisolated(nonsending) static func memoryRecall(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        let memories = try await call.recall(agentID: call.text(SessionContextKeys.agentID), query: call.text(SessionContextKeys.input),
                                             storingAt: SessionContextKeys.recalledMemories)
        guard let memories else { return .success() }  // already written at the key
        return .success(recallUpdateKeys.make(.list(memories)))
    }

    /// What `session.memory_recall` writes.
    @usableFromInline static let recallUpdateKeys = ContextMapTemplate(SessionContextKeys.recalledMemories)

    /// The keys of the entry `session.memory_update` records, in `make`'s order: `input`,
    /// `response`, `input_type`, `turn`.
    public static let memoryEntryKeys = ContextMapTemplate("input", "response", "input_type", "turn")

    /// `session.memory_update`: records the turn (`input`, `response`, `input_type`, `turn`)
    /// with the memory adapter for `session.agent_id`.
    @inlinable
    public nonisolated(nonsending) static func memoryUpdate(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        let entry = ContextValue.map(memoryEntryKeys.make(
            call.value(SessionContextKeys.input) ?? .string(""),
            call.value(SessionContextKeys.response) ?? .string(""),
            call.value(SessionContextKeys.inputType) ?? .string(""),
            call.value(SessionContextKeys.turnCount) ?? .integer(0)))
        try await call.update(agentID: call.text(SessionContextKeys.agentID), entry: entry)
        return .success()
    }
}
