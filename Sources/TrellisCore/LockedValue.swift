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
/// One allocation holds the value and the mutex (`Storage`, a `ManagedBuffer`): a mutex
/// allocated on its own cost every holder a second allocation (its chunk header and a pointer
/// to it; 2,209 → 2,161 bytes per idle session in benchmark 9, whose sessions then held three).
/// A copy of a `LockedValue` shares the one lock and value, as a class reference would. State
/// touched in a few field writes, many times a turn or by every session, takes a `SpinLock`
/// instead: no allocation at all.
///
/// The type is `public` (TrellisCore is no product, so nothing outside the package sees it):
/// Swift 6.3 does not inline or specialize an `@inlinable` method of a `package` type in
/// another module, so every `withLock` went through the unspecialized generic with runtime
/// metadata and value-witness copies (most of the C ABI's per-call overhead in
/// `trellis bench plugins`).
public struct LockedValue<Value>: @unchecked Sendable {
    /// The value (the header) and the mutex (the one element), in one allocation whose address
    /// never changes, as a pthread mutex requires. The value is only touched with the mutex
    /// held, which is what makes sharing it safe.
    @usableFromInline
    final class Storage: ManagedBuffer<Value, MutexWords> {
        deinit {
            withUnsafeMutablePointerToElements { _ = pthread_mutex_destroy(MutexWords.mutex($0)) }
        }
    }

    @usableFromInline let storage: Storage

    /// Creates the lock around `value`.
    package init(_ value: Value) {
        let storage = unsafeDowncast(Storage.create(minimumCapacity: 1) { _ in value }, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { _ = pthread_mutex_init(MutexWords.mutex($0), nil) }
        self.storage = storage
    }

    /// Runs `body` with the value, holding the lock. Not reentrant.
    @inlinable
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withUnsafeMutablePointers { value, mutex in
            MutexWords.lock(mutex)
            defer { MutexWords.unlock(mutex) }
            return try body(&value.pointee)
        }
    }

    /// Runs `body` holding the lock, without touching the value: for a lock that guards
    /// something outside it (a plugin's state), kept as `LockedValue(())`. Every zero-size value
    /// lives at one shared address, so `withLock` on two such locks from two threads would look
    /// to the thread sanitizer like a race on that address.
    @inlinable
    package func withLockHeld<Result>(_ body: () throws -> Result) rethrows -> Result {
        try storage.withUnsafeMutablePointerToElements { mutex in
            MutexWords.lock(mutex)
            defer { MutexWords.unlock(mutex) }
            return try body()
        }
    }

    /// Runs `body` with the value if the lock is free now; `nil`, without waiting, when another
    /// thread holds it.
    @inlinable
    package func withLockIfAvailable<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result? {
        try storage.withUnsafeMutablePointers { value, mutex in
            guard MutexWords.tryLock(mutex) else { return nil }
            defer { MutexWords.unlock(mutex) }
            return try body(&value.pointee)
        }
    }
}

/// Room for a `pthread_mutex_t` (40 bytes, 8-aligned on 64-bit Linux; checked where used),
/// spelled without Glibc's type: the inlined `withLock` may name only what this module's
/// interface shows, and Glibc is imported internally. The calls themselves stay out of line.
@usableFromInline
struct MutexWords {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The mutex in `words`.
    static func mutex(_ words: UnsafeMutablePointer<MutexWords>) -> UnsafeMutablePointer<pthread_mutex_t> {
        precondition(MemoryLayout<pthread_mutex_t>.size <= MemoryLayout<MutexWords>.size
                     && MemoryLayout<pthread_mutex_t>.alignment <= MemoryLayout<MutexWords>.alignment)
        return UnsafeMutableRawPointer(words).assumingMemoryBound(to: pthread_mutex_t.self)
    }

    @usableFromInline static func lock(_ words: UnsafeMutablePointer<MutexWords>) { pthread_mutex_lock(mutex(words)) }
    @usableFromInline static func tryLock(_ words: UnsafeMutablePointer<MutexWords>) -> Bool { pthread_mutex_trylock(mutex(words)) == 0 }
    @usableFromInline static func unlock(_ words: UnsafeMutablePointer<MutexWords>) { pthread_mutex_unlock(mutex(words)) }
}
