import TrellisPluginKit

/// `session.tool_dispatch`: runs `llm.tool_calls` through the run's tools adapter, writes
/// `session.tool_results`, and appends one `{role: tool, name, content}` message per result to
/// `session.messages` (the session keeps these messages after the turn).
struct ToolDispatchNode: AsyncNodeHandler {
    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        guard let calls = call.value(SessionContextKeys.toolCalls)?.list, !calls.isEmpty else {
            var result = NodeResult.success([SessionContextKeys.toolResults: .list([])])
            result.notes = "no tool calls to dispatch"
            return result
        }
        let results = try await call.tools.dispatch(calls)
        // Only a turn that used tools pays for reading the history back.
        var messages = call.value(SessionContextKeys.messages)?.list ?? []
        for (index, result) in results.enumerated() {
            let name = index < calls.count ? calls[index]["name"]?.stringValue ?? "" : ""
            messages.append(["role": "tool", "name": .string(name), "content": .string(result.stringValue)])
        }
        return .success([SessionContextKeys.toolResults: .list(results), SessionContextKeys.messages: .list(messages)])
    }
}
