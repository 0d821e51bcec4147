/// A request to an LLM adapter, as it crosses the C ABI (JSON object
/// `{"prompt","messages","model","provider","options","use_session_messages"}`).
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

    /// Creates a request.
    public init(prompt: String, messages: [PluginValue] = [], model: String = "", provider: String = "",
                options: [String: PluginValue] = [:], useSessionMessages: Bool = false) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
        self.useSessionMessages = useSessionMessages
    }

    /// The request as the JSON object the ABI carries.
    var json: PluginValue {
        var object: [String: PluginValue] = [
            "prompt": .string(prompt), "model": .string(model), "provider": .string(provider),
            "options": .map(options), "use_session_messages": .boolean(useSessionMessages),
        ]
        if !useSessionMessages { object["messages"] = .list(messages) }
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
            useSessionMessages: object["use_session_messages"] == .boolean(true)
        )
    }
}

/// What an LLM adapter answered (JSON `{"content","tool_calls"}` across the ABI).
public struct LLMCompletion: Sendable, Equatable {
    /// The answer text; empty when the model only asked for tools.
    public var content: String
    /// Tool calls the model asked for, as `{name, arguments}` maps.
    public var toolCalls: [PluginValue]

    /// Creates a completion.
    public init(content: String, toolCalls: [PluginValue] = []) {
        self.content = content
        self.toolCalls = toolCalls
    }

    /// The completion as the JSON object the ABI carries.
    var json: PluginValue {
        .map(["content": .string(content), "tool_calls": .list(toolCalls)])
    }

    /// Reads the ABI's JSON object.
    init(json: PluginValue) throws(PluginError) {
        guard let object = json.map else { throw PluginError("an LLM answer must be a JSON object, got \(json.jsonText)") }
        self.init(content: object["content"]?.string ?? "", toolCalls: object["tool_calls"]?.list ?? [])
    }
}
