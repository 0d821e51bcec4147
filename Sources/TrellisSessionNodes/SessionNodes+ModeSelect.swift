public import TrellisCore

extension SessionNodes {
    /// `session.mode_select`: picks the cognitive mode — `goal_pursuit` when there are goals,
    /// `consolidation` every 5th turn, otherwise `reflection` — and writes `session.cognitive_mode`.
    @inlinable
    public static func modeSelect(_ call: some SessionNodeCall) -> SessionNodeResult {
        let hasGoals = (call.listCount(SessionContextKeys.goals) ?? 0) > 0
        let turnCount = call.value(SessionContextKeys.turnCount)?.integer ?? 0
        return .success([SessionContextKeys.cognitiveMode: .string(cognitiveMode(hasGoals: hasGoals, turnCount: turnCount))])
    }

    /// The mode for the given state.
    @inlinable
    public static func cognitiveMode(hasGoals: Bool, turnCount: Int) -> String {
        if hasGoals { return "goal_pursuit" }
        if turnCount > 0 && turnCount % 5 == 0 { return "consolidation" }
        return "reflection"
    }
}
