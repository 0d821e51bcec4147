#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file names that source locations refer to, numbered once per process.
///
/// A process parses a bounded set of files (its graphs, reloaded as they change), so names
/// are kept for the life of the process rather than counted by their users.
enum SourceFileNames {
    private static let registry = Registry()

    /// The number of `name`, assigned on first use.
    static func number(of name: String) -> UInt32 { registry.number(of: name) }

    /// The name numbered `number`.
    static func name(of number: UInt32) -> String { registry.name(of: number) }

    /// The table behind a pthread mutex. `Synchronization.Mutex` would do, but on Linux it waits
    /// on a futex that the thread sanitizer cannot see, so every parse on two threads at once
    /// would be reported as a race.
    private final class Registry: @unchecked Sendable {
        // Only touched with `lock` held, which is what makes the class safe to share.
        private var numbers: [String: UInt32] = [:]
        private var names: [String] = []
        private let lock: UnsafeMutablePointer<pthread_mutex_t>

        init() {
            lock = .allocate(capacity: 1)
            pthread_mutex_init(lock, nil)
        }

        // The registry is a process-lifetime static, so there is no deinit to destroy the mutex.

        func number(of name: String) -> UInt32 {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            if let number = numbers[name] { return number }
            let number = UInt32(names.count)
            names.append(name)
            numbers[name] = number
            return number
        }

        func name(of number: UInt32) -> String {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return names[Int(number)]
        }
    }
}
