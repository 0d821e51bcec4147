import Synchronization
import TrellisEngine

/// The tokens one turn's model calls used, summed as they return.
///
/// A task-local, set around the turn's run: parallel branches and tool rounds of the turn add
/// to it, and a heartbeat running beside the turn (another task) does not.
final class TurnUsage: Sendable {
    /// The accumulator of the turn this task belongs to, if any.
    @TaskLocal static var current: TurnUsage?

    private let total = Mutex(LLMUsage())

    /// Adds one call's usage.
    func add(_ usage: LLMUsage) { total.withLock { $0 += usage } }

    /// The sum so far.
    var value: LLMUsage { total.withLock { $0 } }
}
