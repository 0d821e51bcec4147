import CTrellisPlugin
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
    @discardableResult
    func start(_ handle: HostHandle, _ operation: nonisolated(nonsending) @escaping @Sendable (PendingTask) async -> Void) -> PendingTask {
        let pending = PendingTask()
        entries.withLock { $0[handle.key] = pending }
        let task = Task.immediate { await operation(pending) }
        pending.attach(task)
        return pending
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
///
/// For a node's invoke it also settles who answers the host: a task that finishes while
/// invoke is still running (its handler never suspended) hands its status to invoke, which
/// returns it (the ABI lets an asynchronous type complete synchronously); one that finishes
/// later calls `complete`. That spares a finished call the host's `complete` round trip.
final class PendingTask: Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())
    /// 0 while invoke runs, 1 once invoke returned PENDING, 2 once the task finished first.
    private let answer = Atomic<UInt8>(0)
    /// The status the task finished with, written before `answer` becomes 2 and read only after
    /// it is seen to be 2 (release and acquire order those), so never by two threads at once.
    private nonisolated(unsafe) var finishedStatus = trellis_status(TRELLIS_OK)

    /// Called by the task when it finished: true when invoke is still running and will return
    /// `status` itself; false when invoke already returned PENDING (the task must `complete`).
    func finishDuringInvoke(_ status: trellis_status) -> Bool {
        finishedStatus = status
        return answer.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing).exchanged
    }

    /// What invoke returns: TRELLIS_PENDING while the task runs on (it will `complete`), or the
    /// status of a task that already finished.
    func invokeStatus() -> trellis_status {
        if answer.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged { return TRELLIS_PENDING }
        return finishedStatus
    }

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
