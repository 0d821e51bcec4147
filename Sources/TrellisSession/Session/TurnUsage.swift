import Synchronization
import TrellisEngine

/// The tokens one turn's model calls used, summed as they return.
///
/// A task-local, set around the turn's run: parallel branches and tool rounds of the turn add
/// to it, and a heartbeat running beside the turn (another task) does not.
final class TurnUsage: Sendable {
    /// The accumulator of the turn this task belongs to, if any.
    @TaskLocal static var current: TurnUsage?

    // Atomics, not a lock: parallel branches add at once, and the thread sanitizer sees
    // atomics (it cannot see a `Mutex`'s futex); each count is summed on its own.
    private let input = Atomic<Int>(0)
    private let output = Atomic<Int>(0)

    /// Adds one call's usage.
    func add(_ usage: LLMUsage) {
        input.wrappingAdd(usage.input, ordering: .relaxed)
        output.wrappingAdd(usage.output, ordering: .relaxed)
    }

    /// The sum so far (read when the turn's run is over, so both counts are final).
    var value: LLMUsage { LLMUsage(input: input.load(ordering: .relaxed), output: output.load(ordering: .relaxed)) }
}
