import TrellisEngine
import TrellisSessionNodes

/// `session.memory_update`, built in: the behaviour is `SessionNodes.memoryUpdate` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct MemoryUpdateHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.memory_update`.
    public static let registration = RegisteredHandler(
        typeID: "session.memory_update", handler: MemoryUpdateHandler(),
        summary: "record the turn with the memory adapter")

    /// Records the turn.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { try await SessionNodes.memoryUpdate($0) }
    }
}
