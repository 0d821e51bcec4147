/// A request to the LLM adapter.
public struct LLMRequest: Sendable {
    /// Receives each piece of a streamed answer as it arrives, on the adapter's thread; it
    /// must be cheap and must not block.
    public typealias DeltaSink = @Sendable (String) -> Void

    /// The prompt text for a single-shot stage (pipeline LLM node), or the user's message of a
    /// session turn; sent as the newest user message after `messages`. Empty for none.
    public var prompt: String
    /// The conversation so far for chat-style calls (session turns): `{role, content}` maps;
    /// an assistant message that asked for tools carries `tool_calls`, and a tool result is
    /// `{role: tool, tool_call_id, name, content}`. A session's own history, passed as it is
    /// (shared storage, never copied per turn).
    public var messages: MessageList
    /// The model name (`llm_model`), empty for the adapter's default.
    public var model: String
    /// The provider name (`llm_provider`), empty for the adapter's default.
    public var provider: String
    /// Extra settings (`reasoning_effort`, `system`, cognitive mode, session id, ...).
    public var options: [String: ContextValue]
    /// Tools the model may call: `{name, description, parameters}` with a JSON Schema.
    public var tools: [ContextValue]
    /// When set, the adapter streams the answer and passes each piece of text here; the
    /// response's `content` is then exactly the concatenation of the pieces.
    public var onDelta: DeltaSink?

    /// Creates a request.
    public init(prompt: String, messages: MessageList = MessageList(), model: String = "", provider: String = "",
                options: [String: ContextValue] = [:], tools: [ContextValue] = [], onDelta: DeltaSink? = nil) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
        self.tools = tools
        self.onDelta = onDelta
    }

    /// Creates a request whose conversation is `messages` (made compact: O(count)).
    public init(prompt: String, messages: [ContextValue], model: String = "", provider: String = "",
                options: [String: ContextValue] = [:], tools: [ContextValue] = [], onDelta: DeltaSink? = nil) {
        self.init(prompt: prompt, messages: MessageList(messages), model: model, provider: provider, options: options,
                  tools: tools, onDelta: onDelta)
    }
}
