import TrellisEngine

/// The JSON shapes of LLM requests and responses at the ABI (see `trellis_llm_ext`).
enum LLMRequestJSON {
    /// `{"prompt","messages","model","provider","options"}`.
    static func encode(_ request: LLMRequest) -> String {
        ContextValue.map([
            "prompt": .string(request.prompt),
            "messages": .list(request.messages),
            "model": .string(request.model),
            "provider": .string(request.provider),
            "options": .map(request.options),
        ]).jsonText
    }

    /// A request from plugin JSON; `sessionMessages` is used when `use_session_messages` is true.
    static func decodeRequest(_ value: ContextValue, sessionMessages: @autoclosure () -> [ContextValue]) throws(PluginAdapterError) -> LLMRequest {
        guard case .map(let fields) = value else {
            throw PluginAdapterError(message: "an LLM request must be a JSON object, got \(value.jsonText)")
        }
        var messages: [ContextValue] = []
        if case .boolean(true)? = fields["use_session_messages"] {
            messages = sessionMessages()
        } else if case .list(let given)? = fields["messages"] {
            messages = given
        }
        var options: [String: ContextValue] = [:]
        if case .map(let given)? = fields["options"] { options = given }
        return LLMRequest(prompt: fields["prompt"]?.stringValue ?? "", messages: messages,
                          model: fields["model"]?.stringValue ?? "", provider: fields["provider"]?.stringValue ?? "",
                          options: options)
    }

    /// `{"content","tool_calls"}`.
    static func encodeResponse(_ response: LLMResponse) -> String {
        ContextValue.map(["content": .string(response.content), "tool_calls": .list(response.toolCalls)]).jsonText
    }

    /// A response from plugin JSON.
    static func decodeResponse(_ value: ContextValue, from adapter: String) throws(PluginAdapterError) -> LLMResponse {
        guard case .map(let fields) = value else {
            throw PluginAdapterError(message: "LLM adapter '\(adapter)' answered \(value.jsonText), expected {\"content\": ..., \"tool_calls\": [...]}")
        }
        var toolCalls: [ContextValue] = []
        if case .list(let calls)? = fields["tool_calls"] { toolCalls = calls }
        return LLMResponse(content: fields["content"]?.stringValue ?? "", toolCalls: toolCalls)
    }
}
