import TrellisEngine

/// `session.tool_dispatch`: runs `llm.tool_calls` through the tools adapter, writes
/// `session.tool_results`, and appends one `{role: tool, name, content}` message per result to
/// `session.messages` (the session keeps these messages after the turn).
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
            var name = ""
            if index < calls.count, case .map(let call) = calls[index] { name = call["name"]?.stringValue ?? "" }
            messages.append(.map(["role": .string("tool"), "name": .string(name), "content": .string(result.stringValue)]))
        }
        return .success([SessionKeys.toolResults: .list(results), SessionKeys.messages: .list(messages)])
    }
}
