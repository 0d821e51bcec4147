import CEpoll
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread that resumes sleeping tasks and runs scheduled actions at their deadlines, for
/// waits that thousands of tasks make at once (the simulated model's and the in-memory
/// memory's latency, the plugin host's default call timeouts).
///
/// `Task.sleep` arms a Dispatch timer per call: with 10,000 sessions waiting on a simulated
/// model, re-arming the kernel timer (`timerfd_settime`) and Dispatch's timer thread cost more
/// than the turns themselves. Here a wait is one entry in a heap; the thread sleeps until the
/// earliest deadline and resumes every wait that is due in one pass.
package final class SharedTimer: Sendable {
    /// The process's timer (its thread starts on first use and lives as long as the process).
    package static let shared = SharedTimer()

    /// What a deadline ends: a sleeping task, or an action to run.
    private enum Waiter {
        /// Unchecked: a checked continuation allocates a canary that the timer's thread then
        /// frees in the arena of the pool thread that made it, taking that arena's lock against
        /// the pool thread (4% less CPU at 10,000 waiting sessions without it). Each wait is
        /// resumed exactly once: by whichever of the thread's pass and `end` takes its entry out
        /// of `waiting`, under the lock.
        case task(UnsafeContinuation<Void, any Error>)
        case action(@Sendable () -> Void)

        func fire() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .action(let action): action()
            }
        }
    }

    private struct State {
        /// The waits by deadline. A cancelled wait's entry stays until it comes due.
        var heap = DeadlineHeap()
        var waiting: [UInt64: Waiter] = [:]
        /// When the thread will wake (`nil`: only when woken); a wait due earlier wakes it.
        var armedFor: Int64?
    }

    /// How late a wait may end, so that waits due close together share a wake-up: a
    /// thousandth of the wait (50 us of a 50 ms one), at most this much. Only a wait with
    /// another due within its slack ends late (`DeadlineHeap.wakeTime`).
    static let maximumSlack = Duration.milliseconds(1)

    /// How early the thread wakes for a deadline further off than twice this, to spin out the
    /// rest. On this project's VMs an idle CPU halts deeper the longer it expects to sleep: a
    /// 50 ms wait ended 170-220 µs late on the thread (a 1 ms one 37-75 µs), which cost
    /// benchmark 5 its target. Woken this early, the thread is 2-15 µs late, and the spin
    /// (one per sleep of more than 0.5 ms, at most this long) costs a fraction of a percent of
    /// a core. Waits due close together never sleep that long, so a busy timer never spins.
    static let earlyWake = Duration.microseconds(250)

    private let state = LockedValue(State())
    /// The last id given to a wait; taken without the state's lock.
    private let lastID = Atomic<UInt64>(0)
    /// The instant deadlines count from.
    private let epoch = ContinuousClock.now
    /// The eventfd a new earliest wait writes to, so the thread re-reads the heap at once.
    private let waker: Int32
    /// The timerfd armed for the earliest deadline.
    private let alarm: Int32

    private init() {
        waker = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        alarm = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_CLOEXEC | TFD_NONBLOCK))
        guard waker >= 0, alarm >= 0 else { return }
        let thread = Thread { [self] in
            nameCurrentThread("trellis-timer")
            run()
        }
        thread.start()
    }

    /// Suspends the calling task for `duration`; throws `CancellationError` as soon as the task
    /// is cancelled, like `Task.sleep`.
    package func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        guard duration > .zero else { return }
        // Without its descriptors (exhausted when the timer was first used) there is no
        // thread: the same wait, the costlier way.
        guard waker >= 0, alarm >= 0 else { return try await Task.sleep(for: duration) }
        let id = newID()
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                register(.task(continuation), id: id, after: duration)
                // Cancelled before the wait was registered: the handler found nothing to end.
                if Task.isCancelled { end(id) }
            }
        } onCancel: {
            end(id)
        }
    }

    /// Runs `action` on the timer's thread once `delay` has passed, unless `cancel` is called
    /// with the returned id first. The action must be short and must not block: every other
    /// wait of the process is resumed from the same thread.
    package func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        let id = newID()
        guard waker >= 0, alarm >= 0 else {
            // No thread (see `sleep`): a task per action, which `cancel` still reaches through the table.
            state.withLock { $0.waiting[id] = .action(action) }
            Task.detached {
                try? await Task.sleep(for: delay)
                self.state.withLock { $0.waiting.removeValue(forKey: id) }?.fire()
            }
            return id
        }
        register(.action(action), id: id, after: delay)
        return id
    }

    /// Forgets the action `id` if it has not run yet; true when it had not.
    @discardableResult
    package func cancel(_ id: UInt64) -> Bool {
        state.withLock { $0.waiting.removeValue(forKey: id) } != nil
    }

    private func newID() -> UInt64 {
        lastID.add(1, ordering: .relaxed).newValue
    }

    /// Nanoseconds from `epoch` to `instant`.
    private func nanoseconds(at instant: ContinuousClock.Instant) -> Int64 {
        Self.nanoseconds(instant - epoch)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    private func register(_ waiter: Waiter, id: UInt64, after duration: Duration) {
        let wait = max(duration, .zero)
        let deadline = nanoseconds(at: .now) + Self.nanoseconds(wait)
        let latest = deadline + Self.nanoseconds(min(wait / 1_000, Self.maximumSlack))
        let wakeThread = state.withLock { state in
            state.waiting[id] = waiter
            let becomesFirst = state.heap.first.map { deadline < $0.deadline } ?? true
            state.heap.push(DeadlineHeap.Entry(deadline: deadline, latest: latest, id: id))
            // The thread re-reads the heap when it wakes, so it needs waking now only when it
            // would otherwise wake too late for the heap as it is now. A wait that is not the
            // earliest can only put the wake time off (`DeadlineHeap.wakeTime`), never bring it
            // forward, so only a new earliest one (or a thread armed for nothing) is looked at.
            guard becomesFirst || state.armedFor == nil,
                  let time = state.heap.wakeTime, state.armedFor.map({ time < $0 }) ?? true else { return false }
            state.armedFor = time
            return true
        }
        if wakeThread { wake() }
    }

    /// Ends wait `id` with `CancellationError`, if it is still waiting.
    private func end(_ id: UInt64) {
        if case .task(let continuation)? = state.withLock({ $0.waiting.removeValue(forKey: id) }) {
            continuation.resume(throwing: CancellationError())
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(waker, &one, MemoryLayout<UInt64>.size)
    }

    /// The thread: resume what is due, then sleep until the next deadline or a wake-up.
    private func run() {
        var due: [Waiter] = []
        var wokeEarly = false
        while true {
            let now = nanoseconds(at: .now)
            let next = state.withLock { state -> Int64? in
                while let first = state.heap.first, first.deadline <= now {
                    state.heap.popMin()
                    if let waiter = state.waiting.removeValue(forKey: first.id) { due.append(waiter) }
                }
                // Waits due close together are resumed in one pass rather than one wake-up
                // (and one re-arming) each: see `DeadlineHeap.wakeTime`.
                state.armedFor = state.heap.wakeTime
                return state.armedFor
            }
            for waiter in due { waiter.fire() }
            due.removeAll(keepingCapacity: true)
            wokeEarly = waitForWake(until: next.map { epoch + .nanoseconds($0) }, finishingEarlyWake: wokeEarly)
        }
    }

    /// Waits for the next deadline (a timerfd armed for it: `poll` counts only whole
    /// milliseconds) or a wake-up. Arms the timer `earlyWake` before a distant deadline and
    /// returns true, so that the next call, `finishingEarlyWake`, spins out what is left.
    private func waitForWake(until deadline: ContinuousClock.Instant?, finishingEarlyWake: Bool) -> Bool {
        var descriptors = [pollfd(fd: waker, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: alarm, events: Int16(POLLIN), revents: 0)]
        var setting = itimerspec()
        var early = false
        if let deadline {
            var left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            if finishingEarlyWake && left <= Self.earlyWake {
                // Polling the waker without blocking, so that an earlier wait registered
                // meanwhile ends the spin (the loop then re-reads the heap).
                while ContinuousClock.now < deadline {
                    if poll(&descriptors, 1, 0) > 0 {
                        var count: UInt64 = 0
                        _ = read(waker, &count, MemoryLayout<UInt64>.size)
                        break
                    }
                }
                return false
            }
            if left > Self.earlyWake * 2 {
                left -= Self.earlyWake
                early = true
            }
            let parts = left.components
            // All zeros would disarm the timer (and the wait would never end), not fire it at once.
            setting.it_value = timespec(tv_sec: Int(parts.seconds), tv_nsec: max(parts.seconds > 0 ? 0 : 1, Int(parts.attoseconds / 1_000_000_000)))
        }
        _ = timerfd_settime(alarm, 0, &setting, nil)
        _ = poll(&descriptors, 2, -1)
        var count: UInt64 = 0
        for descriptor in descriptors where descriptor.revents != 0 { _ = read(descriptor.fd, &count, MemoryLayout<UInt64>.size) }
        return early
    }
}
