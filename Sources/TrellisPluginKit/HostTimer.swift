import CTrellisPlugin
import Synchronization

/// Waiting on the host's timer (`trellis.timer/1`): a suspended task costs no thread, and
/// the host runs one timer service for every plugin.
public enum HostTimer {
    /// Suspends the current task for about `duration`. Throws `CancellationError` when the
    /// task is cancelled first (the timer is then cancelled too). Falls back to `Task.sleep`
    /// (which also blocks no thread) when the host offers no timer.
    public static func sleep(for duration: Duration) async throws {
        let parts = duration.components
        let microseconds = max(0, parts.seconds) * 1_000_000 + max(0, parts.attoseconds) / 1_000_000_000_000
        guard microseconds > 0 else {
            try Task.checkCancellation()
            return
        }
        guard let timer = PluginRuntime.current?.timer else {
            try await Task.sleep(for: duration)
            return
        }
        let sleeper = TimerSleeper(timer: timer)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                sleeper.start(continuation, microseconds: UInt64(microseconds))
            }
        } onCancel: {
            sleeper.cancel()
        }
    }
}

/// One sleep on the host timer: whichever of "timer fired" and "task cancelled" happens
/// first resumes the continuation; the other finds it gone.
private final class TimerSleeper: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var timerID: UInt64 = 0
        var cancelled = false
    }

    private let timer: ExtensionTable<trellis_timer_ext>
    private let state = Mutex(State())

    init(timer: ExtensionTable<trellis_timer_ext>) { self.timer = timer }

    func start(_ continuation: CheckedContinuation<Void, any Error>, microseconds: UInt64) {
        let alreadyCancelled = state.withLock { state in
            if state.cancelled { return true }
            state.continuation = continuation
            return false
        }
        if alreadyCancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        // The retain is handed to the timer callback, which releases it when it runs.
        let retained = Unmanaged.passRetained(self).toOpaque()
        let id = timer.table.pointee.schedule!(microseconds, timerFired, retained)
        let cancelledMeanwhile = state.withLock { state in
            state.timerID = id
            return state.cancelled && state.continuation != nil
        }
        if cancelledMeanwhile { cancelTimer(id) }
    }

    func cancel() {
        let id = state.withLock { state in
            state.cancelled = true
            return state.timerID
        }
        if id != 0 { cancelTimer(id) }
    }

    /// Cancels the host timer; when that keeps the callback from running, releases the
    /// callback's retain and resumes the task with `CancellationError`.
    private func cancelTimer(_ id: UInt64) {
        guard timer.table.pointee.cancel!(id) else { return }
        Unmanaged.passUnretained(self).release()
        takeContinuation()?.resume(throwing: CancellationError())
    }

    func fire() {
        takeContinuation()?.resume()
    }

    private func takeContinuation() -> CheckedContinuation<Void, any Error>? {
        state.withLock { state in
            let continuation = state.continuation
            state.continuation = nil
            return continuation
        }
    }
}

/// The `trellis_timer_fn` given to the host.
private func timerFired(_ userData: UnsafeMutableRawPointer?) {
    guard let userData else { return }
    Unmanaged<TimerSleeper>.fromOpaque(userData).takeRetainedValue().fire()
}
