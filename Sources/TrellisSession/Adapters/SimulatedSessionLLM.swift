import Synchronization
import TrellisEngine

/// The built-in session LLM: deterministic and offline. Its `n`-th answer is `"Response n"`
/// (one instance per session, so `n` counts per session), after `latency` when it is not zero.
public final class SimulatedSessionLLM: LLMAdapter {
    private let counter = Atomic<Int>(0)
    /// How long each answer takes.
    public let latency: Duration
    /// Answers to run kinds (`turn`, `heartbeat`) that take a different time, e.g. a slow heartbeat.
    public let latencyByRunKind: [String: Duration]

    /// Creates a model that starts counting at `start` (a restored session continues its count).
    public init(latency: Duration = .zero, latencyByRunKind: [String: Duration] = [:], start: Int = 0) {
        self.latency = latency
        self.latencyByRunKind = latencyByRunKind
        counter.store(start, ordering: .relaxed)
    }

    /// How many answers were given.
    public var answered: Int { counter.load(ordering: .relaxed) }

    /// Answers `"Response n"`.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let delay = delay(for: request)
        if delay > .zero { try await SharedTimer.shared.sleep(for: delay) }
        try Task.checkCancellation()
        return answer()
    }

    /// Without a latency to simulate, the answer is at hand.
    public func completeImmediately(_ request: LLMRequest) throws -> LLMResponse? {
        delay(for: request) > .zero ? nil : answer()
    }

    /// How long `request` takes: its run kind's latency, else `latency`.
    private func delay(for request: LLMRequest) -> Duration {
        request.options["run_kind"].flatMap { latencyByRunKind[$0.stringValue] } ?? latency
    }

    /// The next answer.
    private func answer() -> LLMResponse {
        LLMResponse(content: "Response \(counter.add(1, ordering: .relaxed).newValue)")
    }
}
