/// Talks to a language model. The built-in default is `SimulatedLLM`, which answers
/// deterministically without a network.
public protocol LLMAdapter: Sendable {
    /// Completes a prompt. May suspend for as long as the model takes; must honour task cancellation.
    func complete(_ request: LLMRequest) async throws -> LLMResponse
}
