import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One `CallTable` slot behind a lock of its own: a flag taken with an atomic
/// compare-exchange and given back with a store.
///
/// Why not `LockedValue`: every plugin call takes its slot's lock at least twice (open and
/// close), and a pthread mutex costs about 15 ns a lock-unlock pair there, a sixth of the no-op
/// node's whole overhead in `trellis bench plugins`. The sections this lock guards are a few
/// field reads and writes, or one host function's work on a live call; two threads meet here only when a
/// plugin uses one call from two threads, or a stale handle races the slot's next call. So a
/// waiter spins briefly and then yields its core rather than sleeping. The thread sanitizer
/// sees the acquire and release orderings of the atomic, so it checks what the lock guards as
/// it does for `LockedValue`.
final class CallSlot: @unchecked Sendable {
    // Only touched with the lock held (hence no dynamic exclusivity check either).
    @exclusivity(unchecked) private var slot: CallTable.Slot
    private let locked = Atomic<Bool>(false)

    init(_ slot: CallTable.Slot) { self.slot = slot }

    /// Runs `body` with the slot, holding its lock. Not reentrant.
    @inline(__always)
    func withLock<Result>(_ body: (inout CallTable.Slot) throws -> Result) rethrows -> Result {
        if !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { acquireContended() }
        defer { locked.store(false, ordering: .releasing) }
        return try body(&slot)
    }

    /// Waits for the lock another thread holds: spins a while (its holder is most likely
    /// running, inside a short section), then yields the core between tries.
    @inline(never)
    private func acquireContended() {
        var tries = 0
        while true {
            // Read before trying, so waiters do not keep the cache line from the holder.
            if !locked.load(ordering: .relaxed),
               locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
                return
            }
            tries += 1
            if tries > 100 { sched_yield() }
        }
    }
}
