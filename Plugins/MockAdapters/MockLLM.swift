import Synchronization
import TrellisPluginKit

/// Answers "Response N", N counting the answers given to the request's session (the
/// `session_id` option; requests without one share a counter), after the simulated latency.
///
/// Streams the answer in two pieces ("Response ", "N") when the host asks for streaming, and
/// is registered with `messagesByAccessor`: it never reads the history, so the host does not
/// encode it (a request costs the same on the hundredth turn as on the first). With the option
/// `mock_echo_messages: true` it appends the conversation's roles and tool call ids, read by
/// accessor, so tests can see what an SDK adapter receives.
final class MockLLM: PluginLLMAdapter {
    private let counters = Mutex<[String: Int]>([:])

    func complete(_ request: LLMCompletionRequest, context: LLMCompletionContext) async throws -> LLMCompletion {
        let latency = MockLatency.llm(options: request.options)
        if latency > .zero { try await HostTimer.sleep(for: latency) }
        try Task.checkCancellation()
        return answer(request, context: context)
    }

    /// Without simulated latency the answer is at hand: no task is needed for it.
    func completeImmediately(_ request: LLMCompletionRequest, context: LLMCompletionContext) throws -> LLMCompletion? {
        MockLatency.llm(options: request.options) > .zero ? nil : answer(request, context: context)
    }

    private func answer(_ request: LLMCompletionRequest, context: LLMCompletionContext) -> LLMCompletion {
        let session = request.options["session_id"]?.stringValue ?? ""
        let number = counters.withLock { counters in
            counters[session, default: 0] += 1
            return counters[session, default: 0]
        }
        var pieces = ["Response ", "\(number)"]
        if request.options["mock_echo_messages"] == .boolean(true) {
            let roles = (0..<context.messageCount).compactMap { context.message(at: $0)?.role }
            let toolCallIDs = context.messages().compactMap { $0["tool_call_id"]?.string }
            pieces.append(" after \(roles.joined(separator: ",")) [\(toolCallIDs.joined(separator: ","))]")
        }
        if context.isStreaming {
            for piece in pieces { context.delta(piece) }
        }
        return LLMCompletion(content: pieces.joined())
    }
}
