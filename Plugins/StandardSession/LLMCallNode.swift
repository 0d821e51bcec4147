import TrellisPluginKit

/// `session.llm_call`: sends the input (or the node's `prompt`) and the conversation to the
/// run's LLM adapter — the host passes `session.messages` itself, so the history is not
/// copied through JSON — with the cognitive mode, session id and run kind as options.
/// Writes `llm.response_type` (`text` or `tool_call`) and `llm.content` or `llm.tool_calls`.
struct LLMCallNode: AsyncNodeHandler {
    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        var options: [String: PluginValue] = [
            "cognitive_mode": call.value(SessionContextKeys.cognitiveMode) ?? .string(""),
            "session_id": call.value(SessionContextKeys.sessionID) ?? .string(""),
            "run_kind": call.value(SessionContextKeys.runKind) ?? .string("turn"),
        ]
        if let effort = call.attribute("reasoning_effort") { options["reasoning_effort"] = .string(effort) }
        let request = LLMCompletionRequest(
            prompt: call.attribute("prompt") ?? call.text(SessionContextKeys.input),
            model: call.attribute("llm_model") ?? "",
            provider: call.attribute("llm_provider") ?? "",
            options: options,
            useSessionMessages: true
        )
        let answer = try await call.llm.complete(request)
        if answer.toolCalls.isEmpty {
            return .success([SessionContextKeys.responseType: "text", SessionContextKeys.llmContent: .string(answer.content)])
        }
        var result = NodeResult.success([
            SessionContextKeys.responseType: "tool_call", SessionContextKeys.toolCalls: .list(answer.toolCalls),
            SessionContextKeys.llmContent: .string(answer.content),
        ])
        result.preferredLabel = "tool_call"
        return result
    }
}
