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
                    "name": tool["name"] ?? .string(""),
                    "description": tool["description"] ?? .string(""),
                    "parameters": tool["parameters"] ?? .map(["type": .string("object")]),
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
        let role = message["role"]?.string ?? "user"
        let content = message["content"]?.stringValue ?? ""
        switch role {
        case "tool":
            return .map(["role": .string("tool"), "tool_call_id": message["tool_call_id"] ?? .string(""),
                         "content": .string(content)])
        case "assistant":
            var out: [String: ContextValue] = ["role": .string("assistant"), "content": .string(content)]
            let calls = message["tool_calls"]?.list ?? []
            if !calls.isEmpty {
                out["tool_calls"] = .list(calls.map { call in
                    .map(["id": call["id"] ?? .string(""), "type": .string("function"), "function": .map([
                        "name": call["name"] ?? .string(""),
                        "arguments": .string((call["arguments"] ?? .map([:])).jsonText),
                    ])])
                })
                if content.isEmpty { out["content"] = .null }
            }
            return .map(out)
        default:
            return .map(["role": .string(role), "content": .string(content)])
        }
    }

    func reply(from body: ContextValue) throws(WireFormatError) -> LLMResponse {
        guard let choice = body["choices"]?.list?.first, let message = choice["message"] else {
            throw WireFormatError("the answer has no choices[0].message")
        }
        var assembly = StreamAssembly()
        assembly.appendText(message["content"]?.string ?? "")
        for (index, call) in (message["tool_calls"]?.list ?? []).enumerated() {
            assembly.call(at: index, id: call["id"]?.string, name: call["function"]?["name"]?.string,
                          argumentPiece: call["function"]?["arguments"]?.string ?? "")
        }
        assembly.usage = Self.usage(body["usage"])
        assembly.stopReason = choice["finish_reason"]?.string
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
        if let usage = chunk["usage"], usage != .null { assembly.usage = Self.usage(usage) }
        var pieces: [String] = []
        for choice in chunk["choices"]?.list ?? [] {
            if let reason = choice["finish_reason"]?.string { assembly.stopReason = reason }
            guard let delta = choice["delta"] else { continue }
            if let text = delta["content"]?.string, !text.isEmpty {
                assembly.appendText(text)
                pieces.append(text)
            }
            for call in delta["tool_calls"]?.list ?? [] {
                let function = call["function"]
                assembly.call(at: call["index"]?.integer ?? 0, id: call["id"]?.string,
                              name: function?["name"]?.string, argumentPiece: function?["arguments"]?.string)
            }
        }
        return pieces
    }

    func errorMessage(from body: ContextValue) -> String? {
        guard let error = body["error"] else { return nil }
        if let text = error.string { return text }
        return error["message"]?.string
    }

    private static func usage(_ value: ContextValue?) -> LLMUsage {
        LLMUsage(input: value?["prompt_tokens"]?.integer ?? 0, output: value?["completion_tokens"]?.integer ?? 0)
    }
}
