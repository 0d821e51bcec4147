import TrellisEngine
import TrellisSessionNodes

/// `session.memory_recall`, built in: the behaviour is `SessionNodes.memoryRecall` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct MemoryRecallHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.memory_recall`.
    public static let registration = RegisteredHandler(
        typeID: "session.memory_recall", handler: MemoryRecallHandler(),
        summary: "recall memories for the input through the memory adapter")

    /// Recalls memories for `session.agent_id` and `session.input`.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { try await SessionNodes.memoryRecall($0) }
    }
}
