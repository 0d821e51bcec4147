/// A request to an LLM adapter, as it crosses the C ABI (JSON object
/// `{"prompt","messages","model","provider","options","use_session_messages","stream"}`).
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

    /// The request as the JSON object the ABI carries.
    var json: PluginValue {
        var object: [String: PluginValue] = [
            "prompt": .string(prompt), "model": .string(model), "provider": .string(provider),
            "options": .map(options), "use_session_messages": .boolean(useSessionMessages),
        ]
        if !useSessionMessages { object["messages"] = .list(messages) }
        if offerTools { object["offer_tools"] = .boolean(true) }
        return .map(object)
    }

    /// Reads the ABI's JSON object; missing fields take their defaults.
    init(json: PluginValue) throws(PluginError) {
        guard let object = json.map else { throw PluginError("an LLM request must be a JSON object, got \(json.jsonText)") }
        self.init(
            prompt: object["prompt"]?.string ?? "",
            messages: object["messages"]?.list ?? [],
            model: object["model"]?.string ?? "",
            provider: object["provider"]?.string ?? "",
            options: object["options"]?.map ?? [:],
            useSessionMessages: object["use_session_messages"] == .boolean(true),
            offerTools: object["offer_tools"] == .boolean(true),
            stream: object["stream"] == .boolean(true)
        )
    }
}

/// What an LLM adapter answered (JSON `{"content","tool_calls","usage"}` across the ABI).
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

    /// The completion as the JSON object the ABI carries (`usage` only when counted, so an
    /// answer without it reads the same to a 1.0 host).
    var json: PluginValue {
        var object: [String: PluginValue] = ["content": .string(content), "tool_calls": .list(toolCalls)]
        if inputTokens != 0 || outputTokens != 0 {
            object["usage"] = .map(["input_tokens": .integer(inputTokens), "output_tokens": .integer(outputTokens)])
        }
        return .map(object)
    }

    /// Reads the ABI's JSON object.
    init(json: PluginValue) throws(PluginError) {
        guard let object = json.map else { throw PluginError("an LLM answer must be a JSON object, got \(json.jsonText)") }
        let usage = object["usage"]?.map ?? [:]
        self.init(content: object["content"]?.string ?? "", toolCalls: object["tool_calls"]?.list ?? [],
                  inputTokens: usage["input_tokens"]?.integer ?? 0, outputTokens: usage["output_tokens"]?.integer ?? 0)
    }
}
