public import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A lock kept inline in what it guards: one atomic flag, taken with a compare-exchange and
/// given back with a store, so it costs its owner no allocation (a `LockedValue` costs about
/// 80 bytes) and less time than a pthread mutex (a plugin call's two lock-unlock pairs took
/// 28 ns less). A waiter spins a while (the holder is most likely running, inside a short
/// section), then yields its core between tries; it never sleeps.
///
/// For sections of a few field reads and writes that two threads rarely enter at once: a
/// session's status, its event subscribers, the in-memory memory, a plugin call's slot. A
/// section that can block, wait or run for long takes a `LockedValue`. Like `LockedValue` (and
/// unlike `Synchronization.Mutex`, whose futex it cannot see), the thread sanitizer sees the
/// acquire and release orderings, so it checks what the lock guards.
///
/// `public` for the reason `LockedValue` is (TrellisCore is no product): so that `withLock`
/// is inlined into its callers in other modules; its members are `package`.
public struct SpinLock: ~Copyable, @unchecked Sendable {
    @usableFromInline let locked = Atomic<Bool>(false)

    /// An unlocked lock.
    package init() {}

    /// Runs `body` holding the lock. Not reentrant.
    @inlinable
    package func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        if !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { waitForLock() }
        defer { locked.store(false, ordering: .releasing) }
        return try body()
    }

    /// Takes the lock another thread holds: spins, then yields the core between tries.
    @usableFromInline
    func waitForLock() {
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
