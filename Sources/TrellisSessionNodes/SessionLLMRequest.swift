public import TrellisCore

/// What `session.llm_call` asks the model.
public struct SessionLLMRequest: Sendable, Equatable {
    /// The user's text; empty when `messages` already ends with it.
    public var prompt: String
    /// The conversation; `nil` means the context's own `session.messages`, which each side
    /// passes without a copy (built in: shared storage; plugin: the host reads it itself).
    public var messages: MessageList?
    /// The model name; empty for the adapter's default.
    public var model: String
    /// The provider name; empty for the adapter's default.
    public var provider: String
    /// Settings for the adapter (cognitive mode, session id, system text, ...).
    public var options: [String: ContextValue]

    /// Creates a request.
    public init(prompt: String, messages: MessageList?, model: String, provider: String, options: [String: ContextValue]) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
    }
}

/// What the model answered to a `SessionLLMRequest`.
public struct SessionLLMAnswer: Sendable, Equatable {
    /// The answer text; may be empty when the model only asked for tools.
    public var content: String
    /// The tool calls the model asked for (`{id, name, arguments}` maps).
    public var toolCalls: [ContextValue]

    /// Creates an answer.
    public init(content: String, toolCalls: [ContextValue]) {
        self.content = content
        self.toolCalls = toolCalls
    }
}
