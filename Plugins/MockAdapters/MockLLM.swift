import Synchronization
import TrellisPluginKit

/// Answers "Response N", N counting the answers given to the request's session (the
/// `session_id` option; requests without one share a counter), after the simulated latency.
final class MockLLM: PluginLLMAdapter {
    private let counters = Mutex<[String: Int]>([:])

    func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        let latency = MockLatency.llm(options: request.options)
        if latency > .zero { try await HostTimer.sleep(for: latency) }
        try Task.checkCancellation()
        let session = request.options["session_id"]?.stringValue ?? ""
        let number = counters.withLock { counters in
            counters[session, default: 0] += 1
            return counters[session, default: 0]
        }
        return LLMCompletion(content: "Response \(number)")
    }
}
