/// What the LLM adapter answered.
public struct LLMResponse: Sendable, Equatable {
    /// The answer text (empty when the model asked for tools only).
    public var content: String
    /// Tool calls the model asked for, as maps (`{id, name, arguments}`, `arguments` a map);
    /// empty for a text answer.
    public var toolCalls: [ContextValue]
    /// What the request cost, as the provider counted it (zero when the adapter does not say).
    public var usage: LLMUsage
    /// Why the model stopped, in the provider's words (`stop`, `end_turn`, `tool_use`, ...).
    public var stopReason: String?

    /// Creates a response.
    public init(content: String, toolCalls: [ContextValue] = [], usage: LLMUsage = LLMUsage(), stopReason: String? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.usage = usage
        self.stopReason = stopReason
    }
}
