/// Talks to a language model. The built-in default is `SimulatedLLM`, which answers
/// deterministically without a network.
public protocol LLMAdapter: Sendable {
    /// Completes a prompt. May suspend for as long as the model takes; must honour task cancellation.
    func complete(_ request: LLMRequest) async throws -> LLMResponse

    /// What a person reads in a run manifest or a banner: the provider and model, never a key.
    var summary: String { get }
}

extension LLMAdapter {
    /// By default, the adapter's type name.
    public var summary: String { String(describing: type(of: self)) }
}
