import Dispatch
import TrellisCore

/// The host's default call timeout (and a node's `timeout`) for every pending asynchronous
/// plugin call: a table of deadlines swept by the process's `SharedTimer`, instead of a
/// sleeping task per call (each such task cost a thread wake-up to start and another to
/// cancel, on every asynchronous plugin node: benchmark 8). A call still pending at its
/// deadline is cancelled as the engine's cancellation would (`AsyncPluginCall.hostCancel`).
///
/// One timer entry serves every call whose deadline is not the earliest: a call that ends in
/// time only leaves the table. (An entry per call cost a `SharedTimer` registration per node,
/// and, since the timer forgets a cancelled entry only at its deadline, kept one heap entry
/// per finished call for the 300 s default: millions under sustained load.)
enum PluginCallDeadlines {
    /// Where expired calls are cancelled: cancelling runs the plugin's `cancel` function,
    /// which must not hold up the timer thread every other wait of the process shares.
    private static let cancelling = DispatchQueue(label: "trellis.plugin-call-deadlines")

    private struct Pending {
        let call: AsyncPluginCall
        let limit: Duration
        let deadline: ContinuousClock.Instant
    }

    private struct Table {
        var nextKey: UInt64 = 1
        var pending: [UInt64: Pending] = [:]
        /// The deadline of the earliest sweep the timer will run; `nil` when none is scheduled.
        /// Never later than the earliest pending deadline.
        var sweepAt: ContinuousClock.Instant?
    }

    private static let table = LockedValue(Table())

    /// Cancels `call` unless it ends within `limit` of `start` (when its invoke began); the
    /// returned key removes the deadline.
    static func add(_ call: AsyncPluginCall, after limit: Duration, from start: ContinuousClock.Instant) -> UInt64 {
        let deadline = start + limit
        let (key, arm) = table.withLock { table -> (UInt64, Bool) in
            let key = table.nextKey
            table.nextKey += 1
            table.pending[key] = Pending(call: call, limit: limit, deadline: deadline)
            if let sweepAt = table.sweepAt, sweepAt <= deadline { return (key, false) }
            table.sweepAt = deadline
            return (key, true)
        }
        if arm { scheduleSweep(at: deadline) }
        return key
    }

    /// Forgets the deadline `key` (its call ended).
    static func remove(_ key: UInt64) {
        _ = table.withLock { $0.pending.removeValue(forKey: key) }
    }

    private static func scheduleSweep(at deadline: ContinuousClock.Instant) {
        _ = SharedTimer.shared.schedule(after: deadline - ContinuousClock.now) { sweep(scheduledFor: deadline) }
    }

    /// Cancels every expired call and schedules the next sweep for the earliest deadline left,
    /// unless an earlier sweep than that is already scheduled.
    private static func sweep(scheduledFor deadline: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let (expired, next) = table.withLock { table -> ([Pending], ContinuousClock.Instant?) in
            let expiredKeys = table.pending.filter { $0.value.deadline <= now }.map(\.key)
            let expired = expiredKeys.compactMap { table.pending.removeValue(forKey: $0) }
            // Another sweep, still to come, covers what is left.
            if let sweepAt = table.sweepAt, sweepAt > now, sweepAt != deadline { return (expired, nil) }
            table.sweepAt = table.pending.values.map(\.deadline).min()
            return (expired, table.sweepAt)
        }
        for pending in expired {
            cancelling.async { pending.call.hostCancel(timedOutAfter: pending.limit) }
        }
        if let next { scheduleSweep(at: next) }
    }
}
