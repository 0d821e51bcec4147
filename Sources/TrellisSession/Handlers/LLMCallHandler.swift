import TrellisEngine

/// `session.llm_call`: sends the conversation (`session.messages`, shared, not copied) and the
/// input — or the node's `prompt` attribute when set — to the LLM adapter, with the cognitive
/// mode, session id and run kind as options. Writes `llm.response_type` (`text` or
/// `tool_call`) and `llm.content` or `llm.tool_calls`.
public struct LLMCallHandler: NodeHandler {
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
        var messages: [ContextValue] = []
        if case .list(let history) = context[SessionKeys.messages] { messages = history }
        let prompt = request.node.attribute("prompt") ?? context.string(SessionKeys.input)
        var options: [String: ContextValue] = [
            "cognitive_mode": context[SessionKeys.cognitiveMode] ?? .string(""),
            "session_id": context[SessionKeys.sessionID] ?? .string(""),
            "run_kind": context[SessionKeys.runKind] ?? .string("turn"),
        ]
        if let effort = request.node.attribute("reasoning_effort") { options["reasoning_effort"] = .string(effort) }
        let response = try await llm.complete(LLMRequest(
            prompt: prompt, messages: messages, model: request.node.attribute("llm_model") ?? "",
            provider: request.node.attribute("llm_provider") ?? "", options: options))
        if response.toolCalls.isEmpty {
            return .success([SessionKeys.responseType: .string("text"), SessionKeys.llmContent: .string(response.content)])
        }
        var outcome = Outcome.success([
            SessionKeys.responseType: .string("tool_call"), SessionKeys.toolCalls: .list(response.toolCalls),
            SessionKeys.llmContent: .string(response.content),
        ])
        outcome.preferredLabel = "tool_call"
        return outcome
    }
}
