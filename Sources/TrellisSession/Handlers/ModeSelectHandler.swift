import TrellisEngine
import TrellisSessionNodes

/// `session.mode_select`, built in: the behaviour is `SessionNodes.modeSelect` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct ModeSelectHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.mode_select`.
    public static let registration = RegisteredHandler(
        typeID: "session.mode_select", handler: ModeSelectHandler(),
        summary: "choose the cognitive mode from goals and turn count")

    /// Chooses the mode from `session.goals` and `session.turn_count`.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { SessionNodes.modeSelect($0) }
    }
}
