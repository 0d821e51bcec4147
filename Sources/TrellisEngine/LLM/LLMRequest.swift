/// A request to the LLM adapter.
public struct LLMRequest: Sendable {
    /// The prompt text for a single-shot stage (pipeline LLM node).
    public var prompt: String
    /// The conversation so far for chat-style calls (session turns): `{role, content}` maps.
    public var messages: [ContextValue]
    /// The model name (`llm_model`), empty for the adapter's default.
    public var model: String
    /// The provider name (`llm_provider`), empty for the adapter's default.
    public var provider: String
    /// Extra settings (`reasoning_effort`, cognitive mode, session id, ...).
    public var options: [String: ContextValue]

    /// Creates a request.
    public init(prompt: String, messages: [ContextValue] = [], model: String = "", provider: String = "", options: [String: ContextValue] = [:]) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
    }
}
