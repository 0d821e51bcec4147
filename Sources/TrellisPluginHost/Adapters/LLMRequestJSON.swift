import TrellisEngine

/// The JSON shapes of LLM requests and responses at the ABI (see `trellis_llm_ext`).
enum LLMRequestJSON {
    /// `{"prompt","messages","model","provider","options"}`, plus `"stream": true` when the
    /// request has a delta sink. Without `messages` the plugin reads them by accessor, so the
    /// text does not grow with the history.
    static func encode(_ request: LLMRequest, includingMessages: Bool = true) -> String {
        var fields: [String: ContextValue] = [
            "prompt": .string(request.prompt),
            "model": .string(request.model),
            "provider": .string(request.provider),
            "options": .map(request.options),
        ]
        if includingMessages { fields["messages"] = .messages(request.messages) }
        if !request.tools.isEmpty { fields["tools"] = .list(request.tools) }
        if request.onDelta != nil { fields["stream"] = .boolean(true) }
        return ContextValue.map(fields).jsonText
    }

    /// A request from plugin JSON; `sessionMessages` is used when `use_session_messages` is
    /// true, `offeredTools` (the run's tools adapter's offers) when `offer_tools` is true.
    static func decodeRequest(_ value: ContextValue, sessionMessages: @autoclosure () -> MessageList,
                              offeredTools: @autoclosure () -> [ContextValue] = []) throws(PluginAdapterError) -> LLMRequest {
        guard case .map(let fields) = value else {
            throw PluginAdapterError(message: "an LLM request must be a JSON object, got \(value.jsonText)")
        }
        var messages = MessageList()
        if case .boolean(true)? = fields["use_session_messages"] {
            messages = sessionMessages()
        } else if case .list(let given)? = fields["messages"] {
            messages = MessageList(given)
        }
        var options: [String: ContextValue] = [:]
        if case .map(let given)? = fields["options"] { options = given }
        var tools: [ContextValue] = []
        if case .boolean(true)? = fields["offer_tools"] { tools = offeredTools() }
        return LLMRequest(prompt: fields["prompt"]?.stringValue ?? "", messages: messages,
                          model: fields["model"]?.stringValue ?? "", provider: fields["provider"]?.stringValue ?? "",
                          options: options, tools: tools)
    }

    /// `{"content","tool_calls"}`.
    static func encodeResponse(_ response: LLMResponse) -> String {
        ContextValue.map(["content": .string(response.content), "tool_calls": .list(response.toolCalls)]).jsonText
    }

    /// A response from plugin JSON (`{"content","tool_calls","usage"}`; `usage` since ABI 1.1).
    static func decodeResponse(_ value: ContextValue, from adapter: String) throws(PluginAdapterError) -> LLMResponse {
        guard case .map(let fields) = value else {
            throw PluginAdapterError(message: "LLM adapter '\(adapter)' answered \(value.jsonText), expected {\"content\": ..., \"tool_calls\": [...]}")
        }
        var toolCalls: [ContextValue] = []
        if case .list(let calls)? = fields["tool_calls"] { toolCalls = calls }
        var usage = LLMUsage()
        if case .map(let counts)? = fields["usage"] {
            usage = LLMUsage(input: counts["input_tokens"]?.integer ?? 0, output: counts["output_tokens"]?.integer ?? 0)
        }
        return LLMResponse(content: fields["content"]?.stringValue ?? "", toolCalls: toolCalls, usage: usage)
    }
}
