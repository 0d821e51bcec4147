import Dispatch
import TrellisCore

/// The host's default call timeout for every pending asynchronous plugin call at once: one
/// dispatch timer set to the earliest deadline, instead of a sleeping task per call (each
/// such task cost a thread wake-up to start and another to cancel, on every asynchronous
/// plugin node: benchmark 8). Deadlines past which a call is still pending cancel it, as the
/// engine's cancellation would (`AsyncPluginCall.hostCancel`).
///
/// `@unchecked Sendable`: `timer` is only rescheduled under `state`'s lock (a dispatch source
/// may be rescheduled from any thread); everything else is behind that lock.
final class PluginCallDeadlines: @unchecked Sendable {
    /// The one set the plugin handlers share.
    static let shared = PluginCallDeadlines()

    private struct Pending {
        let deadline: DispatchTime
        let limit: Duration
        let call: AsyncPluginCall
    }

    private struct State {
        var next: UInt64 = 1
        var pending: [UInt64: Pending] = [:]
        /// When the timer fires next; `nil` when nothing is pending.
        var scheduled: DispatchTime?
    }

    private let state = LockedValue(State())
    private let timer: any DispatchSourceTimer

    private init() {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "trellis.plugin-call-deadlines"))
        timer.schedule(deadline: .distantFuture)
        timer.setEventHandler { [unowned self] in self.expire() }
        timer.resume()
    }

    /// Cancels `call` unless it ends within `limit`; the returned key removes the deadline.
    func add(_ call: AsyncPluginCall, after limit: Duration) -> UInt64 {
        let deadline = DispatchTime.now() + .nanoseconds(Self.nanoseconds(limit))
        return state.withLock { state in
            let key = state.next
            state.next += 1
            state.pending[key] = Pending(deadline: deadline, limit: limit, call: call)
            if state.scheduled.map({ deadline < $0 }) ?? true {
                state.scheduled = deadline
                timer.schedule(deadline: deadline, leeway: .milliseconds(1))
            }
            return key
        }
    }

    /// Forgets the deadline `key` (its call ended). The timer may still fire at it, finding nothing due.
    func remove(_ key: UInt64) {
        state.withLock { _ = $0.pending.removeValue(forKey: key) }
    }

    /// On the timer's queue: cancels the calls past their deadline and sets the next one.
    private func expire() {
        let now = DispatchTime.now()
        let due: [Pending] = state.withLock { state in
            let due = state.pending.filter { $0.value.deadline <= now }
            for key in due.keys { state.pending[key] = nil }
            state.scheduled = state.pending.values.map(\.deadline).min()
            timer.schedule(deadline: state.scheduled ?? .distantFuture, leeway: .milliseconds(1))
            return Array(due.values)
        }
        // Outside the lock: cancelling runs the plugin's cancel function.
        for pending in due { pending.call.hostCancel(timedOutAfter: pending.limit) }
    }

    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return total.overflow ? Int.max : Int(clamping: total.partialValue + attoseconds / 1_000_000_000)
    }
}
