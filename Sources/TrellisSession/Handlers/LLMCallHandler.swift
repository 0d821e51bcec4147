import TrellisEngine

/// `session.llm_call`: sends the conversation (`session.messages`, shared, not copied) and the
/// input — or the node's `prompt` attribute when set — to the LLM adapter, with the tools the
/// tools adapter offers, the session's system prompt and recalled memories as system text, and
/// the cognitive mode, session id and run kind as options. Writes `llm.response_type` (`text` or
/// `tool_call`) and `llm.content` or `llm.tool_calls`.
///
/// The tool loop: when the model asks for tools, the handler appends the assistant's request
/// (`{role: assistant, content, tool_calls}`) to `session.messages` and the turn graph routes
/// to `session.tool_dispatch`, which appends the results and comes back here. The next call
/// sends the user's message before the messages this turn added, so the model sees the
/// conversation in order. Rounds are bounded by the node's `max_tool_rounds` attribute, else
/// the session config's, else 8; one more request for tools fails the turn, saying so.
public struct LLMCallHandler: NodeHandler {
    /// Tool rounds so far in this run (the handler's own bookkeeping).
    public static let toolRoundsKey = "llm.tool_rounds"
    /// Where the messages this run added begin in `session.messages` (set on the first tool round).
    public static let turnMessagesStartKey = "llm.turn_messages_start"
    /// Tool rounds allowed per turn unless configured.
    public static let defaultMaxToolRounds = 8

    /// Creates the handler.
    public init() {}

    /// The registration of type `session.llm_call`.
    public static let registration = RegisteredHandler(
        typeID: "session.llm_call", handler: LLMCallHandler(),
        summary: "call the LLM adapter with the conversation")

    /// Calls the model.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard let llm = request.adapters.llm else {
            return .failure(SessionHandlers.missingAdapter("llm", node: request.node))
        }
        let context = request.context
        let history = context[SessionKeys.messages]?.list ?? []
        var prompt = request.node.attribute("prompt") ?? context.string(SessionKeys.input)
        var messages = history
        let turnStart = context[Self.turnMessagesStartKey]?.integer
        if let start = turnStart, (0...history.count).contains(start) {
            messages = Array(history[..<start]) + [.map(["role": "user", "content": .string(prompt)])] + Array(history[start...])
            prompt = ""
        }
        let config = context[SessionKeys.config]?.map ?? [:]
        var options: [String: ContextValue] = [
            "cognitive_mode": context[SessionKeys.cognitiveMode] ?? .string(""),
            "session_id": context[SessionKeys.sessionID] ?? .string(""),
            "run_kind": context[SessionKeys.runKind] ?? .string("turn"),
            "input_type": context[SessionKeys.inputType] ?? .string(""),
            "memories_recalled": .integer(context[SessionKeys.recalledMemories]?.list?.count ?? 0),
        ]
        if let effort = request.node.attribute("reasoning_effort") { options["reasoning_effort"] = .string(effort) }
        let system = Self.systemText(config: config, memories: context[SessionKeys.recalledMemories]?.list ?? [])
        if !system.isEmpty { options["system"] = .string(system) }
        let response = try await llm.complete(LLMRequest(
            prompt: prompt, messages: messages, model: request.node.attribute("llm_model") ?? "",
            provider: request.node.attribute("llm_provider") ?? "", options: options,
            tools: request.adapters.tools?.offers ?? []))
        if response.toolCalls.isEmpty {
            return .success([SessionKeys.responseType: .string("text"), SessionKeys.llmContent: .string(response.content)])
        }
        let rounds = context[Self.toolRoundsKey]?.integer ?? 0
        let limit = request.node.attribute("max_tool_rounds").flatMap { Int($0) }
            ?? config["max_tool_rounds"]?.integer ?? Self.defaultMaxToolRounds
        guard rounds < limit else {
            return .failure("the model asked for tools again after \(rounds) tool round(s) in this turn; the limit is \(limit) (max_tool_rounds)")
        }
        var updated = history
        updated.append(.map(["role": "assistant", "content": .string(response.content), "tool_calls": .list(response.toolCalls)]))
        var outcome = Outcome.success([
            SessionKeys.responseType: .string("tool_call"), SessionKeys.toolCalls: .list(response.toolCalls),
            SessionKeys.llmContent: .string(response.content), SessionKeys.messages: .list(updated),
            Self.toolRoundsKey: .integer(rounds + 1), Self.turnMessagesStartKey: .integer(turnStart ?? history.count),
        ])
        outcome.preferredLabel = "tool_call"
        return outcome
    }

    /// The session config's `system_prompt`, then the recalled memories, as one system text.
    static func systemText(config: [String: ContextValue], memories: [ContextValue]) -> String {
        var parts: [String] = []
        if let prompt = config["system_prompt"]?.string, !prompt.isEmpty { parts.append(prompt) }
        let recalled = memories.compactMap { memory -> String? in
            guard let input = memory["input"]?.string, !input.isEmpty else { return nil }
            let reply = memory["response"]?.string ?? ""
            return "- the user said: \(input)" + (reply.isEmpty ? "" : "; you answered: \(reply)")
        }
        if !recalled.isEmpty {
            parts.append("Earlier in your conversations with this user:\n" + recalled.joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n")
    }
}
