public import TrellisCore

extension SessionNodes {
    /// Tool rounds so far in this run (`session.llm_call`'s own bookkeeping).
    public static let toolRoundsKey = "llm.tool_rounds"
    /// Where the messages this run added begin in `session.messages` (set on the first tool round).
    public static let turnMessagesStartKey = "llm.turn_messages_start"
    /// Tool rounds allowed per turn unless configured.
    public static let defaultMaxToolRounds = 8

    /// `session.llm_call`: sends the conversation (`session.messages`, passed without a copy)
    /// and the input — or the node's `prompt` attribute when set — to the LLM adapter, with the
    /// tools the tools adapter offers, the session's system prompt and recalled memories as
    /// system text, and the cognitive mode, session id and run kind as options. Writes
    /// `llm.response_type` (`text` or `tool_call`) and `llm.content` or `llm.tool_calls`.
    ///
    /// The tool loop: when the model asks for tools, the node appends the assistant's request
    /// (`{role: assistant, content, tool_calls}`) to `session.messages` and the turn graph
    /// routes to `session.tool_dispatch`, which appends the results and comes back here. The
    /// next call sends the user's message before the messages this turn added, so the model
    /// sees the conversation in order. Rounds are bounded by the node's `max_tool_rounds`
    /// attribute, else the session config's, else 8; one more request for tools fails the
    /// turn, saying so. Only tool rounds read the history itself (a copy over the C ABI; built in,
    /// one copy of the compact buffer when it is extended).
    @inlinable
    public nonisolated(nonsending) static func llmCall(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        var prompt = call.attribute("prompt") ?? call.text(SessionContextKeys.input)
        let turnStart = call.value(turnMessagesStartKey)?.integer
        var messages: MessageList?
        if let start = turnStart, let history = call.value(SessionContextKeys.messages)?.messageList, (0...history.count).contains(start) {
            var reordered = MessageList()
            reordered.append(contentsOf: history[..<start])
            reordered.append(role: "user", content: prompt)
            reordered.append(contentsOf: history[start...])
            messages = reordered
            prompt = ""
        }
        // Over the C ABI the memories' texts are read one by one (the list would cross as JSON);
        // built in, the list is read once, in place.
        let memories = call.readsValuesInPlace ? call.value(SessionContextKeys.recalledMemories)?.list : nil
        let memoryCount = memories?.count ?? call.listCount(SessionContextKeys.recalledMemories) ?? 0
        var options = optionKeys.make(
            call.value(SessionContextKeys.cognitiveMode) ?? .string(""),
            call.value(SessionContextKeys.sessionID) ?? .string(""),
            call.value(SessionContextKeys.runKind) ?? .string("turn"),
            call.value(SessionContextKeys.inputType) ?? .string(""),
            .integer(memoryCount))
        if let effort = call.attribute("reasoning_effort") { options["reasoning_effort"] = .string(effort) }
        let systemPrompt = call.mapField(SessionContextKeys.config, field: "system_prompt")?.string
        let system = systemText(systemPrompt: systemPrompt, memoryCount: memoryCount) { index, field in
            if let memories { return memories[index][field]?.string }
            return call.listItemText(SessionContextKeys.recalledMemories, at: index, field: field)
        }
        if !system.isEmpty { options["system"] = .string(system) }
        let answer = try await call.complete(SessionLLMRequest(
            prompt: prompt, messages: messages, model: call.attribute("llm_model") ?? "",
            provider: call.attribute("llm_provider") ?? "", options: options))
        if answer.toolCalls.isEmpty {
            return .success(textAnswerKeys.make(.string("text"), .string(answer.content)))
        }
        let rounds = call.value(toolRoundsKey)?.integer ?? 0
        let limit = call.attribute("max_tool_rounds").flatMap { Int($0) } ?? call.mapField(SessionContextKeys.config, field: "max_tool_rounds")?.integer ?? defaultMaxToolRounds
        guard rounds < limit else {
            return .failure("the model asked for tools again after \(rounds) tool round(s) in this turn; the limit is \(limit) (max_tool_rounds)")
        }
        var updated = call.value(SessionContextKeys.messages)?.messageList ?? MessageList()
        let historyCount = updated.count
        updated.append(.map(["role": "assistant", "content": .string(answer.content), "tool_calls": .list(answer.toolCalls)]))
        return .success([
            SessionContextKeys.responseType: .string("tool_call"), SessionContextKeys.toolCalls: .list(answer.toolCalls),
            SessionContextKeys.llmContent: .string(answer.content), SessionContextKeys.messages: .messages(updated),
            toolRoundsKey: .integer(rounds + 1), turnMessagesStartKey: .integer(turnStart ?? historyCount),
        ], preferredLabel: "tool_call")
    }

    /// The options every model request carries, in `make`'s order; `reasoning_effort` and
    /// `system`, when present, are added to the made map.
    @usableFromInline static let optionKeys = ContextMapTemplate("cognitive_mode", "session_id", "run_kind", "input_type", "memories_recalled", extraCapacity: 2)
    /// What a text answer writes, in `make`'s order.
    @usableFromInline static let textAnswerKeys = ContextMapTemplate(SessionContextKeys.responseType, SessionContextKeys.llmContent)

    /// The session config's `system_prompt`, then the recalled memories, as one system text:
    /// `memoryCount` memories whose `input` and `response` texts `memoryText` reads by index
    /// and field (nil for a memory without them).
    public static func systemText(systemPrompt: String?, memoryCount: Int,
                                  memoryText: (_ index: Int, _ field: String) -> String?) -> String {
        // Appended into one string: it is built on every model call.
        var text = ""
        if let prompt = systemPrompt, !prompt.isEmpty { text = prompt }
        var first = true
        for index in 0..<memoryCount {
            guard let input = memoryText(index, "input"), !input.isEmpty else { continue }
            if first {
                if !text.isEmpty { text += "\n\n" }
                text += "Earlier in your conversations with this user:"
                first = false
            }
            text += "\n- the user said: "
            text += input
            if let reply = memoryText(index, "response"), !reply.isEmpty {
                text += "; you answered: "
                text += reply
            }
        }
        return text
    }
}
