import Foundation
import Testing
@testable import TrellisCore

/// The two locks the thread sanitizer can see: each excludes other threads while its holder
/// works (threads increment a counter without atomics, under the lock, and none of the
/// increments is lost), and a copy of a `LockedValue` shares the one value and lock.
@Suite("Locks", .timeLimit(.minutes(1)))
struct LockTests {
    /// Four threads, 50,000 unsynchronized read-modify-writes each, under `withLock`.
    private static let threads = 4
    private static let increments = 50_000

    /// Runs `body` on `threads` threads at once and waits for all of them.
    private static func onThreads(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let remaining = LockedValue(threads)
            for _ in 0..<threads {
                Thread {
                    body()
                    if remaining.withLock({ count in count -= 1; return count == 0 }) { done.resume() }
                }.start()
            }
        }
    }

    /// A counter guarded only by `SpinLock`.
    private final class SpinCounter: @unchecked Sendable {
        @exclusivity(unchecked) var value = 0
        let lock = SpinLock()
    }

    @Test("SpinLock: no increment made under it is lost")
    func spinLockExcludes() async {
        let counter = SpinCounter()
        await Self.onThreads {
            for _ in 0..<Self.increments {
                counter.lock.withLock {
                    // Read and write apart, with a yield between now and then, so that a
                    // second thread inside the section would lose an increment.
                    let seen = counter.value
                    if seen % 1_000 == 0 { sched_yield() }
                    counter.value = seen + 1
                }
            }
        }
        #expect(counter.lock.withLock { counter.value } == Self.threads * Self.increments)
    }

    @Test("LockedValue: no increment made under it is lost, and a copy shares the value")
    func lockedValueExcludesAndCopiesShare() async {
        let counter = LockedValue(0)
        let copy = counter
        await Self.onThreads {
            for index in 0..<Self.increments {
                // Half the threads' increments through the copy: one lock, one value.
                (index.isMultiple(of: 2) ? counter : copy).withLock { value in
                    let seen = value
                    if seen % 1_000 == 0 { sched_yield() }
                    value = seen + 1
                }
            }
        }
        #expect(counter.withLock { $0 } == Self.threads * Self.increments)
        #expect(copy.withLockIfAvailable { $0 } == Self.threads * Self.increments)
    }
}
