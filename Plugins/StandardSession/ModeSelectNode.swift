import TrellisPluginKit

/// `session.mode_select`: `goal_pursuit` when there are goals, `consolidation` every 5th turn,
/// otherwise `reflection`; writes `session.cognitive_mode`.
struct ModeSelectNode: SyncNodeHandler {
    func handle(_ call: inout NodeCall) throws -> NodeResult {
        let hasGoals = (call.listCount(SessionKey.goals) ?? 0) > 0
        let turnCount = call.integer(SessionKey.turnCount) ?? 0
        return .success([SessionKey.cognitiveMode: .string(Self.mode(hasGoals: hasGoals, turnCount: turnCount))])
    }

    static func mode(hasGoals: Bool, turnCount: Int) -> String {
        if hasGoals { return "goal_pursuit" }
        if turnCount > 0 && turnCount % 5 == 0 { return "consolidation" }
        return "reflection"
    }
}
