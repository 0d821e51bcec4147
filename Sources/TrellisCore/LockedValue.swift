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
/// It lives in TrellisCore, its members `package` only, so that the modules that need it share one.
///
/// The class itself is `public` (TrellisCore is no product, so nothing outside the package sees
/// it): Swift 6.3 does not inline or specialize an `@inlinable` method of a `package` class in
/// another module, so every `withLock` went through the unspecialized generic with runtime
/// metadata and value-witness copies (most of the C ABI's per-call overhead in
/// `trellis bench plugins`).
public final class LockedValue<Value>: @unchecked Sendable {
    // Only touched with `lock` held, which is what makes the class safe to share; hence no
    // dynamic exclusivity check either. Visible to inlined code so `withLock` is specialized in
    // the caller's module.
    @exclusivity(unchecked) @usableFromInline var value: Value
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
    @inlinable
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        acquire()
        defer { release() }
        return try body(&value)
    }

    /// Runs `body` holding the lock, without touching the value: for a lock that guards
    /// something outside it (a plugin's state), kept as `LockedValue(())`. Every zero-size value
    /// lives at one shared address, so `withLock` on two such locks from two threads would look
    /// to the thread sanitizer like a race on that address.
    @inlinable
    package func withLockHeld<Result>(_ body: () throws -> Result) rethrows -> Result {
        acquire()
        defer { release() }
        return try body()
    }

    /// Runs `body` with the value if the lock is free now; `nil`, without waiting, when another
    /// thread holds it.
    @inlinable
    package func withLockIfAvailable<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result? {
        guard tryAcquire() else { return nil }
        defer { release() }
        return try body(&value)
    }

    /// Takes the lock (for the inlined `withLock`).
    @usableFromInline func acquire() { pthread_mutex_lock(lock) }

    /// Takes the lock if it is free (for the inlined `withLockIfAvailable`).
    @usableFromInline func tryAcquire() -> Bool { pthread_mutex_trylock(lock) == 0 }

    /// Releases the lock (for the inlined `withLock`).
    @usableFromInline func release() { pthread_mutex_unlock(lock) }
}
