import TrellisPluginKit

/// `session.mode_select`: `goal_pursuit` when there are goals, `consolidation` every 5th turn,
/// otherwise `reflection`; writes `session.cognitive_mode`.
struct ModeSelectNode: SyncNodeHandler {
    func handle(_ call: inout NodeCall) throws -> NodeResult {
        let hasGoals = (call.listCount(SessionContextKeys.goals) ?? 0) > 0
        let turnCount = call.integer(SessionContextKeys.turnCount) ?? 0
        return .success([SessionContextKeys.cognitiveMode: .string(Self.mode(hasGoals: hasGoals, turnCount: turnCount))])
    }

    static func mode(hasGoals: Bool, turnCount: Int) -> String {
        if hasGoals { return "goal_pursuit" }
        if turnCount > 0 && turnCount % 5 == 0 { return "consolidation" }
        return "reflection"
    }
}
