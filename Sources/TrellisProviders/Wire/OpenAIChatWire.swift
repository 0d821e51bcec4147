import TrellisEngine

/// OpenAI chat completions (`POST {base}/chat/completions`), which every OpenAI-compatible
/// server speaks too.
struct OpenAIChatWire: ProviderWire {
    var streamHasEndMarker: Bool { true }

    func request(for conversation: Conversation, settings: ProviderSettings, stream: Bool) -> HTTPRequest {
        var messages: [ContextValue] = []
        if !conversation.system.isEmpty {
            messages.append(.map(["role": .string("system"), "content": .string(conversation.system)]))
        }
        for message in conversation.messages { messages.append(Self.message(message)) }
        var body: [String: ContextValue] = ["model": .string(conversation.model), "messages": .list(messages)]
        if !conversation.tools.isEmpty {
            body["tools"] = .list(conversation.tools.map { tool in
                .map(["type": .string("function"), "function": .map([
                    "name": tool[member: "name"] ?? .string(""),
                    "description": tool[member: "description"] ?? .string(""),
                    "parameters": tool[member: "parameters"] ?? .map(["type": .string("object")]),
                ])])
            })
        }
        if let effort = conversation.reasoningEffort { body["reasoning_effort"] = .string(effort) }
        if let limit = settings.maxOutputTokens { body["max_completion_tokens"] = .integer(limit) }
        if stream {
            body["stream"] = .boolean(true)
            body["stream_options"] = .map(["include_usage": .boolean(true)])
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if stream { headers.append(("Accept", "text/event-stream")) }
        if let key = settings.apiKey { headers.append(("Authorization", "Bearer " + key)) }
        return HTTPRequest(url: settings.baseURL + "/chat/completions", headers: headers,
                           body: Self.body(.map(body)), timeout: settings.requestTimeout)
    }

    /// A neutral message in OpenAI's shape: tool calls as `function` calls with JSON-text arguments.
    private static func message(_ message: ContextValue) -> ContextValue {
        let role = message[member: "role"]?.asText ?? "user"
        let content = message[member: "content"]?.stringValue ?? ""
        switch role {
        case "tool":
            return .map(["role": .string("tool"), "tool_call_id": message[member: "tool_call_id"] ?? .string(""),
                         "content": .string(content)])
        case "assistant":
            var out: [String: ContextValue] = ["role": .string("assistant"), "content": .string(content)]
            let calls = message[member: "tool_calls"]?.asList ?? []
            if !calls.isEmpty {
                out["tool_calls"] = .list(calls.map { call in
                    .map(["id": call[member: "id"] ?? .string(""), "type": .string("function"), "function": .map([
                        "name": call[member: "name"] ?? .string(""),
                        "arguments": .string((call[member: "arguments"] ?? .map([:])).jsonText),
                    ])])
                })
                if content.isEmpty { out["content"] = .null }
            }
            return .map(out)
        default:
            return .map(["role": .string(role), "content": .string(content)])
        }
    }

    func reply(from body: ContextValue) throws(WireFormatError) -> ModelReply {
        guard let choice = body[member: "choices"]?.asList.first, let message = choice[member: "message"] else {
            throw WireFormatError("the answer has no choices[0].message")
        }
        var assembly = StreamAssembly()
        assembly.appendText(message[member: "content"]?.asText ?? "")
        for (index, call) in (message[member: "tool_calls"]?.asList ?? []).enumerated() {
            assembly.call(at: index, id: call[member: "id"]?.asText, name: call[member: "function"]?[member: "name"]?.asText,
                          argumentPiece: call[member: "function"]?[member: "arguments"]?.asText ?? "")
        }
        assembly.usage = Self.usage(body[member: "usage"])
        assembly.stopReason = choice[member: "finish_reason"]?.asText
        return try assembly.reply()
    }

    func consume(_ event: ServerSentEvent, into assembly: inout StreamAssembly) throws(WireFormatError) -> [String] {
        if event.data == "[DONE]" {
            assembly.finished = true
            return []
        }
        let chunk: ContextValue
        do { chunk = try ContextValue(jsonText: event.data) } catch {
            throw WireFormatError("a streamed chunk is not JSON (\(error.reason))")
        }
        if let message = errorMessage(from: chunk) { throw WireFormatError(message) }
        if let usage = chunk[member: "usage"], usage != .null { assembly.usage = Self.usage(usage) }
        var pieces: [String] = []
        for choice in chunk[member: "choices"]?.asList ?? [] {
            if let reason = choice[member: "finish_reason"]?.asText { assembly.stopReason = reason }
            guard let delta = choice[member: "delta"] else { continue }
            if let text = delta[member: "content"]?.asText, !text.isEmpty {
                assembly.appendText(text)
                pieces.append(text)
            }
            for call in delta[member: "tool_calls"]?.asList ?? [] {
                let function = call[member: "function"]
                assembly.call(at: call[member: "index"]?.asInt ?? 0, id: call[member: "id"]?.asText,
                              name: function?[member: "name"]?.asText, argumentPiece: function?[member: "arguments"]?.asText)
            }
        }
        return pieces
    }

    func errorMessage(from body: ContextValue) -> String? {
        guard let error = body[member: "error"] else { return nil }
        if let text = error.asText { return text }
        return error[member: "message"]?.asText
    }

    private static func usage(_ value: ContextValue?) -> TokenUsage {
        TokenUsage(input: value?[member: "prompt_tokens"]?.asInt ?? 0, output: value?[member: "completion_tokens"]?.asInt ?? 0)
    }
}
