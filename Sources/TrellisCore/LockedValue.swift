#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex: the lock for state that other threads share with tasks
/// (plugin threads, the terminal's input thread, a server's requests).
///
/// `Synchronization.Mutex` would do, but on Linux it waits on a futex the thread sanitizer
/// cannot see, so the sanitizer reports races that are not there and would hide real ones.
/// It lives in TrellisCore, `package` only, so that the modules that need it share one.
package final class LockedValue<Value>: @unchecked Sendable {
    // Only touched with `lock` held, which is what makes the class safe to share.
    private var value: Value
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    /// Creates the lock around `value`.
    package init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` with the value, holding the lock. Not reentrant.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&value)
    }
}
