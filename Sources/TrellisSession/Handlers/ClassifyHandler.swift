import TrellisEngine
import TrellisSessionNodes

/// `session.classify`, built in: the behaviour is `SessionNodes.classify` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct ClassifyHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.classify`.
    public static let registration = RegisteredHandler(
        typeID: "session.classify", handler: ClassifyHandler(),
        summary: "classify the input as command, blocked, tool_result or query")

    /// Classifies `session.input`.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { SessionNodes.classify($0) }
    }
}
