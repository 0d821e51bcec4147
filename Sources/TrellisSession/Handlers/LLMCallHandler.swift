import TrellisEngine
import TrellisSessionNodes

/// `session.llm_call`, built in: the behaviour is `SessionNodes.llmCall` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct LLMCallHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.llm_call`.
    public static let registration = RegisteredHandler(
        typeID: "session.llm_call", handler: LLMCallHandler(),
        summary: "call the LLM adapter with the conversation")

    /// Calls the model.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { try await SessionNodes.llmCall($0) }
    }
}
