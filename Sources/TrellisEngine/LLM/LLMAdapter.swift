/// Talks to a language model. The built-in default is `SimulatedLLM`, which answers
/// deterministically without a network.
public protocol LLMAdapter: Sendable {
    /// Completes a prompt. May suspend for as long as the model takes; must honour task cancellation.
    func complete(_ request: LLMRequest) async throws -> LLMResponse

    /// The answer when it is at hand without waiting (no latency to simulate, a cache hit);
    /// nil to answer through `complete(_:)` instead. A caller that is not in a task (a plugin
    /// node's adapter call through the C ABI) asks this first and starts a task only on nil:
    /// the task was most of what such a call cost. Runs on the caller's thread: never block or
    /// sleep here. The default returns nil.
    func completeImmediately(_ request: LLMRequest) throws -> LLMResponse?

    /// What a person reads in a run manifest or a banner: the provider and model, never a key.
    var summary: String { get }
}

extension LLMAdapter {
    /// Never answers at once: every request goes to `complete(_:)`.
    public func completeImmediately(_ request: LLMRequest) throws -> LLMResponse? { nil }

    /// By default, the adapter's type name.
    public var summary: String { String(describing: type(of: self)) }
}
