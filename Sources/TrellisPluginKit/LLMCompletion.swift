/// A request to an LLM adapter. It crosses the C ABI as a `trellis_llm_request` (ABI 1.3;
/// `LLMCompletion+Fields.swift`), never as JSON.
public struct LLMCompletionRequest: Sendable, Equatable {
    /// The prompt text.
    public var prompt: String
    /// The conversation so far, as `{role, content}` maps.
    public var messages: [PluginValue]
    /// The model name; empty for the adapter's default.
    public var model: String
    /// The provider name; empty for the adapter's default.
    public var provider: String
    /// Extra settings (cognitive mode, session id, ...).
    public var options: [String: PluginValue]
    /// From a node: ask the host to pass the context's `session.messages` itself, so the
    /// history is not copied through JSON.
    public var useSessionMessages: Bool
    /// From a node: ask the host to offer the model the tools of the run's tools adapter
    /// (`"offer_tools": true`), as the built-in `session.llm_call` does.
    public var offerTools: Bool
    /// To an adapter: the host wants the answer in pieces (`"stream": true`, ABI 1.1); publish
    /// them with `LLMCompletionContext.delta(_:)`.
    public var stream: Bool

    /// Creates a request.
    public init(prompt: String, messages: [PluginValue] = [], model: String = "", provider: String = "",
                options: [String: PluginValue] = [:], useSessionMessages: Bool = false, offerTools: Bool = false, stream: Bool = false) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
        self.useSessionMessages = useSessionMessages
        self.offerTools = offerTools
        self.stream = stream
    }
}

/// What an LLM adapter answered; a `trellis_llm_answer` across the ABI (ABI 1.3).
public struct LLMCompletion: Sendable, Equatable {
    /// The answer text; empty when the model only asked for tools. After streaming, exactly
    /// the concatenation of the pieces.
    public var content: String
    /// Tool calls the model asked for, as `{name, arguments}` maps.
    public var toolCalls: [PluginValue]
    /// Prompt tokens the request cost, as the provider counted them (0 when unknown).
    public var inputTokens: Int
    /// Answer tokens the request cost (0 when unknown).
    public var outputTokens: Int

    /// Creates a completion.
    public init(content: String, toolCalls: [PluginValue] = [], inputTokens: Int = 0, outputTokens: Int = 0) {
        self.content = content
        self.toolCalls = toolCalls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
