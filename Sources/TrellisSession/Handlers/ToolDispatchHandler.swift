import TrellisEngine

/// `session.tool_dispatch`: runs `llm.tool_calls` through the tools adapter, writes
/// `session.tool_results`, and appends one `{role: tool, tool_call_id, name, content, is_error?}`
/// message per result to `session.messages` (the session keeps these messages after the turn),
/// which the next model call sends back in the provider's own format.
public struct ToolDispatchHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.tool_dispatch`.
    public static let registration = RegisteredHandler(
        typeID: "session.tool_dispatch", handler: ToolDispatchHandler(),
        summary: "run the model's tool calls through the tools adapter")

    /// Runs the tool calls.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard case .list(let calls) = request.context[SessionKeys.toolCalls], !calls.isEmpty else {
            return .success([SessionKeys.toolResults: .list([])], notes: "no tool calls to dispatch")
        }
        guard let tools = request.adapters.tools else {
            return .failure(SessionHandlers.missingAdapter("tools", node: request.node))
        }
        let results = try await tools.dispatch(calls)
        var messages: [ContextValue] = []
        if case .list(let history) = request.context[SessionKeys.messages] { messages = history }
        for (index, result) in results.enumerated() {
            let call = index < calls.count ? calls[index] : .null
            var message: [String: ContextValue] = [
                "role": "tool",
                "tool_call_id": result["tool_call_id"] ?? call["id"] ?? "",
                "name": result["name"] ?? call["name"] ?? "",
                "content": .string(result["content"]?.stringValue ?? result.stringValue),
            ]
            if result["is_error"] == .boolean(true) { message["is_error"] = .boolean(true) }
            messages.append(.map(message))
        }
        return .success([SessionKeys.toolResults: .list(results), SessionKeys.messages: .list(messages)])
    }
}
