import TrellisEngine

/// `session.mode_select`: picks the cognitive mode — `goal_pursuit` when there are goals,
/// `consolidation` every 5th turn, otherwise `reflection` — and writes `session.cognitive_mode`.
public struct ModeSelectHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.mode_select`.
    public static let registration = RegisteredHandler(
        typeID: "session.mode_select", handler: ModeSelectHandler(),
        summary: "choose the cognitive mode from goals and turn count")

    /// Chooses the mode from `session.goals` and `session.turn_count`.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        var hasGoals = false
        if case .list(let goals) = request.context[SessionKeys.goals] { hasGoals = !goals.isEmpty }
        var turnCount = 0
        if case .integer(let count) = request.context[SessionKeys.turnCount] { turnCount = count }
        let mode = Self.mode(hasGoals: hasGoals, turnCount: turnCount)
        return .success([SessionKeys.cognitiveMode: .string(mode)])
    }

    /// The mode for the given state.
    static func mode(hasGoals: Bool, turnCount: Int) -> String {
        if hasGoals { return "goal_pursuit" }
        if turnCount > 0 && turnCount % 5 == 0 { return "consolidation" }
        return "reflection"
    }
}
