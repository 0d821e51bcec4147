import TrellisEngine

/// Anthropic Messages (`POST {base}/v1/messages`): content blocks, `tool_use` /
/// `tool_result`, and the streamed sequence `message_start`, `content_block_start`,
/// `content_block_delta` (`text_delta`, `input_json_delta`), `content_block_stop`,
/// `message_delta`, `message_stop`, with `ping` and `error` between them.
struct AnthropicMessagesWire: ProviderWire {
    var streamHasEndMarker: Bool { true }

    /// `max_tokens` is required by the protocol; this is sent when the settings give none.
    static let defaultMaxTokens = 8192

    func request(for conversation: Conversation, settings: ProviderSettings, stream: Bool) -> HTTPRequest {
        var body: [String: ContextValue] = [
            "model": .string(conversation.model),
            "max_tokens": .integer(settings.maxOutputTokens ?? Self.defaultMaxTokens),
            "messages": .list(Self.messages(conversation.messages)),
        ]
        if !conversation.system.isEmpty { body["system"] = .string(conversation.system) }
        if !conversation.tools.isEmpty {
            body["tools"] = .list(conversation.tools.map { tool in
                .map(["name": tool["name"] ?? .string(""),
                      "description": tool["description"] ?? .string(""),
                      "input_schema": tool["parameters"] ?? .map(["type": .string("object")])])
            })
        }
        if stream { body["stream"] = .boolean(true) }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("anthropic-version", settings.anthropicVersion),
        ]
        if stream { headers.append(("Accept", "text/event-stream")) }
        if let key = settings.apiKey { headers.append(("x-api-key", key)) }
        return HTTPRequest(url: settings.baseURL + "/v1/messages", headers: headers,
                           body: Self.body(.map(body)), timeout: settings.requestTimeout)
    }

    /// Neutral messages as Anthropic turns: tool calls become `tool_use` blocks, and tool
    /// results become `tool_result` blocks of one user turn (consecutive results share it, as
    /// the protocol requires alternating roles).
    private static func messages(_ messages: [ContextValue]) -> [ContextValue] {
        var turns: [(role: String, blocks: [ContextValue])] = []
        func add(_ role: String, _ block: ContextValue) {
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks.append(block)
            } else {
                turns.append((role, [block]))
            }
        }
        for message in messages {
            let role = message["role"]?.string ?? "user"
            let content = message["content"]?.stringValue ?? ""
            switch role {
            case "tool":
                var block: [String: ContextValue] = [
                    "type": .string("tool_result"), "tool_use_id": message["tool_call_id"] ?? .string(""),
                    "content": .string(content),
                ]
                if message["is_error"] == .boolean(true) { block["is_error"] = .boolean(true) }
                add("user", .map(block))
            case "assistant":
                if !content.isEmpty { add("assistant", .map(["type": .string("text"), "text": .string(content)])) }
                for call in message["tool_calls"]?.list ?? [] {
                    add("assistant", .map(["type": .string("tool_use"), "id": call["id"] ?? .string(""),
                                           "name": call["name"] ?? .string(""),
                                           "input": call["arguments"] ?? .map([:])]))
                }
            default:
                add("user", .map(["type": .string("text"), "text": .string(content)]))
            }
        }
        return turns.map { .map(["role": .string($0.role), "content": .list($0.blocks)]) }
    }

    func reply(from body: ContextValue) throws(WireFormatError) -> LLMResponse {
        guard let blocks = body["content"], case .list(let items) = blocks else {
            throw WireFormatError("the answer has no content blocks")
        }
        var assembly = StreamAssembly()
        for (index, block) in items.enumerated() {
            switch block["type"]?.string {
            case "text": assembly.appendText(block["text"]?.string ?? "")
            case "tool_use":
                assembly.call(at: index, id: block["id"]?.string, name: block["name"]?.string,
                              arguments: block["input"] ?? .map([:]))
            default: break  // thinking and other blocks carry nothing the session keeps
            }
        }
        assembly.usage = LLMUsage(input: body["usage"]?["input_tokens"]?.integer ?? 0,
                                    output: body["usage"]?["output_tokens"]?.integer ?? 0)
        assembly.stopReason = body["stop_reason"]?.string
        return try assembly.reply()
    }

    func consume(_ event: ServerSentEvent, into assembly: inout StreamAssembly) throws(WireFormatError) -> [String] {
        let payload: ContextValue
        do { payload = try ContextValue(jsonText: event.data) } catch {
            throw WireFormatError("a streamed '\(event.event)' event is not JSON (\(error.reason))")
        }
        let kind = event.event.isEmpty ? (payload["type"]?.string ?? "") : event.event
        switch kind {
        case "message_start":
            let usage = payload["message"]?["usage"]
            assembly.usage.input = usage?["input_tokens"]?.integer ?? assembly.usage.input
            assembly.usage.output = usage?["output_tokens"]?.integer ?? assembly.usage.output
        case "content_block_start":
            let index = payload["index"]?.integer ?? 0
            let block = payload["content_block"]
            switch block?["type"]?.string {
            case "tool_use":
                assembly.call(at: index, id: block?["id"]?.string, name: block?["name"]?.string, argumentPiece: "")
            case "text":
                if let text = block?["text"]?.string, !text.isEmpty {
                    assembly.appendText(text)
                    return [text]
                }
            default: break
            }
        case "content_block_delta":
            let delta = payload["delta"]
            switch delta?["type"]?.string {
            case "text_delta":
                let text = delta?["text"]?.string ?? ""
                assembly.appendText(text)
                return text.isEmpty ? [] : [text]
            case "input_json_delta":
                assembly.call(at: payload["index"]?.integer ?? 0, argumentPiece: delta?["partial_json"]?.string ?? "")
            default: break
            }
        case "message_delta":
            if let reason = payload["delta"]?["stop_reason"]?.string { assembly.stopReason = reason }
            if let output = payload["usage"]?["output_tokens"]?.integer { assembly.usage.output = output }
            if let input = payload["usage"]?["input_tokens"]?.integer { assembly.usage.input = input }
        case "message_stop":
            assembly.finished = true
        case "error":
            throw WireFormatError(errorMessage(from: payload) ?? "the stream reported an error")
        default:
            break  // ping, content_block_stop and event types added later
        }
        return []
    }

    func errorMessage(from body: ContextValue) -> String? {
        guard let error = body["error"] else { return nil }
        let message = error["message"]?.string ?? error.stringValue
        if let type = error["type"]?.string { return "\(message) (\(type))" }
        return message
    }
}
