/// What the LLM adapter answered.
public struct LLMResponse: Sendable, Equatable {
    /// The answer text (empty when the model asked for tools only).
    public var content: String
    /// Tool calls the model asked for, as maps (`{name, arguments}`); empty for a text answer.
    public var toolCalls: [ContextValue]

    /// Creates a response.
    public init(content: String, toolCalls: [ContextValue] = []) {
        self.content = content
        self.toolCalls = toolCalls
    }
}
