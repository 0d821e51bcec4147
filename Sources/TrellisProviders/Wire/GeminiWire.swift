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
                .map(["name": tool["name"] ?? .string(""),
                      "description": tool["description"] ?? .string(""),
                      "parameters": tool["parameters"] ?? .map(["type": .string("object")])])
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
            let role = message["role"]?.string ?? "user"
            let content = message["content"]?.stringValue ?? ""
            switch role {
            case "tool":
                add("user", .map(["functionResponse": .map([
                    "name": message["name"] ?? .string(""),
                    "response": .map([message["is_error"] == .boolean(true) ? "error" : "content": .string(content)]),
                ])]))
            case "assistant":
                if !content.isEmpty { add("model", .map(["text": .string(content)])) }
                for call in message["tool_calls"]?.list ?? [] {
                    add("model", .map(["functionCall": .map(["name": call["name"] ?? .string(""),
                                                            "args": call["arguments"] ?? .map([:])])]))
                }
            default:
                add("user", .map(["text": .string(content)]))
            }
        }
        return turns.map { .map(["role": .string($0.role), "parts": .list($0.parts)]) }
    }

    func reply(from body: ContextValue) throws(WireFormatError) -> LLMResponse {
        var assembly = StreamAssembly()
        _ = try consumeChunk(body, into: &assembly)
        if body["candidates"]?.list?.isEmpty ?? true {
            let reason = body["promptFeedback"]?["blockReason"]?.string
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
        if let candidate = chunk["candidates"]?.list?.first {
            for part in candidate["content"]?["parts"]?.list ?? [] {
                if part["thought"] == .boolean(true) { continue }
                if let text = part["text"]?.string, !text.isEmpty {
                    assembly.appendText(text)
                    pieces.append(text)
                }
                if let call = part["functionCall"] {
                    assembly.call(at: assembly.callCount, id: call["id"]?.string, name: call["name"]?.string,
                                  arguments: call["args"] ?? .map([:]))
                }
            }
            if let reason = candidate["finishReason"]?.string { assembly.stopReason = reason }
        }
        if let usage = chunk["usageMetadata"] {
            assembly.usage = LLMUsage(input: usage["promptTokenCount"]?.integer ?? assembly.usage.input,
                                        output: usage["candidatesTokenCount"]?.integer ?? assembly.usage.output)
        }
        return pieces
    }

    func errorMessage(from body: ContextValue) -> String? {
        guard let error = body["error"] else { return nil }
        let message = error["message"]?.string ?? error.stringValue
        if let status = error["status"]?.string { return "\(message) (\(status))" }
        return message
    }
}
