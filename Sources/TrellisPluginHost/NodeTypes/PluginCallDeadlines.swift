import Dispatch
import TrellisCore

/// The host's default call timeout for every pending asynchronous plugin call: an entry in the
/// process's `SharedTimer` per call, instead of a sleeping task per call (each such task cost
/// a thread wake-up to start and another to cancel, on every asynchronous plugin node:
/// benchmark 8). A call still pending at its deadline is cancelled as the engine's
/// cancellation would (`AsyncPluginCall.hostCancel`).
enum PluginCallDeadlines {
    /// Where expired calls are cancelled: cancelling runs the plugin's `cancel` function,
    /// which must not hold up the timer thread every other wait of the process shares.
    private static let cancelling = DispatchQueue(label: "trellis.plugin-call-deadlines")

    /// Cancels `call` unless it ends within `limit`; the returned key removes the deadline.
    static func add(_ call: AsyncPluginCall, after limit: Duration) -> UInt64 {
        SharedTimer.shared.schedule(after: limit) {
            cancelling.async { call.hostCancel(timedOutAfter: limit) }
        }
    }

    /// Forgets the deadline `key` (its call ended).
    static func remove(_ key: UInt64) {
        SharedTimer.shared.cancel(key)
    }
}
