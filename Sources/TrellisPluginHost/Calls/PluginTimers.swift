import Dispatch
import Synchronization
import TrellisCore

/// The `trellis.timer/1` extension: callbacks run later on Dispatch's shared threads, so a
/// plugin simulating latency (or waiting) holds no thread of its own and no sleeping thread.
enum PluginTimers {
    /// A plugin callback and its argument; the plugin promises they may be used from any thread.
    struct Callback: @unchecked Sendable {
        let function: @convention(c) (UnsafeMutableRawPointer?) -> Void
        let userData: UnsafeMutableRawPointer?

        /// Calls the plugin's function, marked for crash reports with the plugin whose image
        /// holds it (`origin`, found when the timer was scheduled).
        func call(_ origin: CrashOrigin?) {
            guard let origin else { return function(userData) }
            PluginCrashContext.during(origin, "timer callback") { function(userData) }
        }
    }

    /// A scheduled work item; Dispatch work items are safe to cancel from any thread.
    private struct Scheduled: @unchecked Sendable {
        let item: DispatchWorkItem
    }

    private static let pending = LockedValue<[UInt64: Scheduled]>([:])
    private static let nextID = Atomic<UInt64>(1)
    private static let queue = DispatchQueue(label: "trellis.plugin-timers", attributes: .concurrent)

    /// Schedules `callback` after `delayMicroseconds`; returns its id.
    static func schedule(after delayMicroseconds: UInt64, _ callback: Callback) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        // Which plugin the callback belongs to is looked up here (`dladdr` takes the loader's
        // lock), not in the crash handler, which may take no lock.
        let origin = PluginCrashContext.origin(ofCode: unsafeBitCast(callback.function, to: UnsafeRawPointer.self))
        let item = DispatchWorkItem {
            // Whoever removes the entry owns the timer: the firing or `cancel`, never both.
            let stillScheduled = pending.withLock { $0.removeValue(forKey: id) != nil }
            if stillScheduled { callback.call(origin) }
        }
        pending.withLock { $0[id] = Scheduled(item: item) }
        let delay = Int(min(delayMicroseconds, UInt64(Int.max / 1000)))
        queue.asyncAfter(deadline: .now() + .microseconds(delay), execute: item)
        return id
    }

    /// Cancels a timer that has not fired; true when its callback will not run.
    static func cancel(_ id: UInt64) -> Bool {
        guard let scheduled = pending.withLock({ $0.removeValue(forKey: id) }) else { return false }
        scheduled.item.cancel()
        return true
    }
}
