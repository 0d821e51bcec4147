import Synchronization

/// The tasks answering pending host calls (node invocations, adapter operations), by host
/// handle, so the host's `cancel` can reach the right task.
final class PendingTasks: Sendable {
    private let entries = Mutex<[UInt: PendingTask]>([:])

    /// Runs `operation` in a new task registered under `handle` until it finishes. The
    /// operation must call `finish` before answering the host: once answered, the host may
    /// reuse the handle's address for another call.
    ///
    /// The task starts immediately on the calling host thread and runs there until its first
    /// suspension: work that never waits (a mock adapter without latency, a handler failing
    /// early) answers without a thread hop, which the ABI allows ("possibly before invoke
    /// returns").
    func start(_ handle: HostHandle, _ operation: @escaping @Sendable (PendingTask) async -> Void) {
        let pending = PendingTask()
        entries.withLock { $0[handle.key] = pending }
        let task = Task.immediate { await operation(pending) }
        pending.attach(task)
    }

    /// Forgets `pending` (when it is still the entry for `handle`).
    func finish(_ handle: HostHandle, _ pending: PendingTask) {
        entries.withLock { entries in
            if entries[handle.key] === pending { entries[handle.key] = nil }
        }
    }

    /// Cancels the task answering `handle`, if it is still running.
    func cancel(_ handle: HostHandle) {
        entries.withLock { $0[handle.key] }?.cancel()
    }
}

/// One task answering a host call; a cancel that arrives before the task is attached is kept
/// and applied on attach.
final class PendingTask: Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    func attach(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
