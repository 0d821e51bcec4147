import TrellisCore

/// Something the heartbeat scheduler fires.
public protocol HeartbeatTarget: AnyObject, Sendable {
    /// Called when a heartbeat is due, on the scheduler's task: must return at once.
    /// Returns `false` to be unscheduled (a stopped session).
    func heartbeatDue() -> Bool
}

extension Session: HeartbeatTarget {
    /// Starts a heartbeat if none is in flight; `false` once the session is stopped.
    public nonisolated func heartbeatDue() -> Bool {
        guard !isStopped else { return false }
        triggerHeartbeat()
        return true
    }
}

/// One scheduler for the heartbeats of every session: a min-heap of due times served by a
/// single task that sleeps until the earliest one. An idle session costs one heap entry,
/// not a task or a timer; a session whose heartbeat is still running when the next is due
/// simply skips that one (the in-flight guard is the session's).
public final class HeartbeatScheduler: Sendable {
    private struct Entry: Sendable {
        var due: ContinuousClock.Instant
        var sequence: UInt64
        var interval: Duration
        var target: any HeartbeatTarget
    }

    private struct State: Sendable {
        var heap: [Entry] = []
        /// Entries taken off the heap to fire and not yet put back (or dropped).
        var firing = 0
        var sequence: UInt64 = 0
        var wakeAt: ContinuousClock.Instant?
        var sleeper: Task<Void, Never>?
        var loop: Task<Void, Never>?
        var shutDown = false
    }

    private let state = LockedValue(State())

    /// Creates a scheduler; its task starts with the first scheduled heartbeat.
    public init() {}

    deinit { shutdown() }

    /// Heartbeats currently scheduled, those being fired right now included (they are off
    /// the heap between being taken and being put back for their next time).
    public var scheduledCount: Int { state.withLock { $0.heap.count + $0.firing } }

    /// Fires `target` every `interval`, the first time one interval from now (or after `firstAfter`).
    public func schedule(_ target: any HeartbeatTarget, every interval: Duration, firstAfter: Duration? = nil) {
        let due = ContinuousClock.now + (firstAfter ?? interval)
        state.withLock { state in
            guard !state.shutDown else { return }
            state.sequence += 1
            Self.push(Entry(due: due, sequence: state.sequence, interval: interval, target: target), into: &state.heap)
            if state.loop == nil {
                state.loop = Task.detached { [weak self] in await self?.run() }
            } else if let wakeAt = state.wakeAt, due < wakeAt {
                state.sleeper?.cancel()
            }
        }
    }

    /// Stops the scheduler's task; nothing fires afterwards.
    public func shutdown() {
        state.withLock { state in
            state.shutDown = true
            state.heap.removeAll()
            state.firing = 0
            state.sleeper?.cancel()
            state.loop?.cancel()
        }
    }

    private func run() async {
        while true {
            let now = ContinuousClock.now
            let due: [Entry]? = state.withLock { state in
                guard !state.shutDown else { return nil }
                var fired: [Entry] = []
                while let first = state.heap.first, first.due <= now { fired.append(Self.pop(&state.heap)) }
                state.firing = fired.count
                return fired
            }
            guard let due else { return }
            var again: [Entry] = []
            for entry in due where entry.target.heartbeatDue() {
                var next = entry
                next.due = max(entry.due + entry.interval, now + .milliseconds(1))
                again.append(next)
            }
            let sleeper: Task<Void, Never>? = state.withLock { state in
                guard !state.shutDown else { return nil }
                for entry in again { Self.push(entry, into: &state.heap) }
                state.firing = 0
                let wake = state.heap.first?.due ?? now + .seconds(3600)
                state.wakeAt = wake
                let task = Task.detached { _ = try? await Task.sleep(until: wake, clock: .continuous) }
                state.sleeper = task
                return task
            }
            guard let sleeper else { return }
            await sleeper.value
        }
    }

    private static func before(_ lhs: Entry, _ rhs: Entry) -> Bool {
        lhs.due == rhs.due ? lhs.sequence < rhs.sequence : lhs.due < rhs.due
    }

    private static func push(_ entry: Entry, into heap: inout [Entry]) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func pop(_ heap: inout [Entry]) -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && before(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { return top }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
