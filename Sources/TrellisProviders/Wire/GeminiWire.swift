import TrellisEngine

/// Google Gemini (`POST {base}/v1beta/models/{model}:generateContent`, streamed with
/// `:streamGenerateContent?alt=sse`): `contents` of `parts`, `functionCall` /
/// `functionResponse`, usage in `usageMetadata`. A streamed answer simply ends.
struct GeminiWire: ProviderWire {
    var streamHasEndMarker: Bool { false }

    func request(for conversation: Conversation, settings: ProviderSettings, stream: Bool) -> HTTPRequest {
        var body: [String: ContextValue] = ["contents": .list(Self.contents(conversation.messages))]
        if !conversation.system.isEmpty {
            body["systemInstruction"] = .map(["parts": .list([.map(["text": .string(conversation.system)])])])
        }
        if !conversation.tools.isEmpty {
            body["tools"] = .list([.map(["functionDeclarations": .list(conversation.tools.map { tool in
                .map(["name": tool[member: "name"] ?? .string(""),
                      "description": tool[member: "description"] ?? .string(""),
                      "parameters": tool[member: "parameters"] ?? .map(["type": .string("object")])])
            })])])
        }
        var generation: [String: ContextValue] = [:]
        if let limit = settings.maxOutputTokens { generation["maxOutputTokens"] = .integer(limit) }
        if let effort = conversation.reasoningEffort {
            generation["thinkingConfig"] = .map(["thinkingLevel": .string(effort)])
        }
        if !generation.isEmpty { body["generationConfig"] = .map(generation) }
        let model = conversation.model.hasPrefix("models/") ? String(conversation.model.dropFirst(7)) : conversation.model
        let path = stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if stream { headers.append(("Accept", "text/event-stream")) }
        if let key = settings.apiKey { headers.append(("x-goog-api-key", key)) }
        return HTTPRequest(url: settings.baseURL + "/v1beta/models/" + model + path, headers: headers,
                           body: Self.body(.map(body)), timeout: settings.requestTimeout)
    }

    /// Neutral messages as Gemini contents: assistant is `model`, tool results are
    /// `functionResponse` parts of a user turn, named after the function (Gemini matches by name).
    private static func contents(_ messages: [ContextValue]) -> [ContextValue] {
        var turns: [(role: String, parts: [ContextValue])] = []
        func add(_ role: String, _ part: ContextValue) {
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].parts.append(part)
            } else {
                turns.append((role, [part]))
            }
        }
        for message in messages {
            let role = message[member: "role"]?.asText ?? "user"
            let content = message[member: "content"]?.stringValue ?? ""
            switch role {
            case "tool":
                add("user", .map(["functionResponse": .map([
                    "name": message[member: "name"] ?? .string(""),
                    "response": .map([message[member: "is_error"] == .boolean(true) ? "error" : "content": .string(content)]),
                ])]))
            case "assistant":
                if !content.isEmpty { add("model", .map(["text": .string(content)])) }
                for call in message[member: "tool_calls"]?.asList ?? [] {
                    add("model", .map(["functionCall": .map(["name": call[member: "name"] ?? .string(""),
                                                            "args": call[member: "arguments"] ?? .map([:])])]))
                }
            default:
                add("user", .map(["text": .string(content)]))
            }
        }
        return turns.map { .map(["role": .string($0.role), "parts": .list($0.parts)]) }
    }

    func reply(from body: ContextValue) throws(WireFormatError) -> ModelReply {
        var assembly = StreamAssembly()
        _ = try consumeChunk(body, into: &assembly)
        if body[member: "candidates"]?.asList.isEmpty ?? true {
            let reason = body[member: "promptFeedback"]?[member: "blockReason"]?.asText
            throw WireFormatError("the answer has no candidates" + (reason.map { " (prompt blocked: \($0))" } ?? ""))
        }
        return try assembly.reply()
    }

    func consume(_ event: ServerSentEvent, into assembly: inout StreamAssembly) throws(WireFormatError) -> [String] {
        let chunk: ContextValue
        do { chunk = try ContextValue(jsonText: event.data) } catch {
            throw WireFormatError("a streamed chunk is not JSON (\(error.reason))")
        }
        if let message = errorMessage(from: chunk) { throw WireFormatError(message) }
        return try consumeChunk(chunk, into: &assembly)
    }

    /// Applies one response (whole, or a streamed piece of one); function calls arrive whole.
    private func consumeChunk(_ chunk: ContextValue, into assembly: inout StreamAssembly) throws(WireFormatError) -> [String] {
        var pieces: [String] = []
        if let candidate = chunk[member: "candidates"]?.asList.first {
            for part in candidate[member: "content"]?[member: "parts"]?.asList ?? [] {
                if part[member: "thought"] == .boolean(true) { continue }
                if let text = part[member: "text"]?.asText, !text.isEmpty {
                    assembly.appendText(text)
                    pieces.append(text)
                }
                if let call = part[member: "functionCall"] {
                    assembly.call(at: assembly.callCount, id: call[member: "id"]?.asText, name: call[member: "name"]?.asText,
                                  arguments: call[member: "args"] ?? .map([:]))
                }
            }
            if let reason = candidate[member: "finishReason"]?.asText { assembly.stopReason = reason }
        }
        if let usage = chunk[member: "usageMetadata"] {
            assembly.usage = TokenUsage(input: usage[member: "promptTokenCount"]?.asInt ?? assembly.usage.input,
                                        output: usage[member: "candidatesTokenCount"]?.asInt ?? assembly.usage.output)
        }
        return pieces
    }

    func errorMessage(from body: ContextValue) -> String? {
        guard let error = body[member: "error"] else { return nil }
        let message = error[member: "message"]?.asText ?? error.stringValue
        if let status = error[member: "status"]?.asText { return "\(message) (\(status))" }
        return message
    }
}
