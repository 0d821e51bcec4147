public import TrellisCore

extension SessionNodes {
    /// `session.tool_dispatch`: runs `llm.tool_calls` through the tools adapter, writes
    /// `session.tool_results`, and appends one `{role: tool, tool_call_id, name, content,
    /// is_error?}` message per result to `session.messages` (the session keeps these messages
    /// after the turn), which the next model call sends back in the provider's own format.
    @inlinable
    public nonisolated(nonsending) static func toolDispatch(_ call: some SessionNodeCall) async throws -> SessionNodeResult {
        guard let calls = call.value(SessionContextKeys.toolCalls)?.list, !calls.isEmpty else {
            return .success([SessionContextKeys.toolResults: .list([])], notes: "no tool calls to dispatch")
        }
        let results = try await call.dispatch(calls)
        // Only a turn that used tools pays for reading the history (a copy over the C ABI).
        var messages = call.value(SessionContextKeys.messages)?.messageList ?? MessageList()
        for (index, result) in results.enumerated() {
            let toolCall = index < calls.count ? calls[index] : .null
            var message: [String: ContextValue] = [
                "role": "tool",
                "tool_call_id": result["tool_call_id"] ?? toolCall["id"] ?? "",
                "name": result["name"] ?? toolCall["name"] ?? "",
                "content": .string(result["content"]?.stringValue ?? result.stringValue),
            ]
            if result["is_error"] == .boolean(true) { message["is_error"] = .boolean(true) }
            messages.append(.map(message))
        }
        return .success([SessionContextKeys.toolResults: .list(results), SessionContextKeys.messages: .messages(messages)])
    }
}
