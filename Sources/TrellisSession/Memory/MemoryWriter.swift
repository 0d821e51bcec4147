import Dispatch
import Synchronization
import TrellisCore

/// The memory's write connection and the serial queue that alone uses it.
///
/// Writes run on a dedicated dispatch queue rather than on the caller's thread, for the
/// reason `StoreWriter` has its own thread: a commit can block on the disk (a WAL
/// checkpoint syncs), and blocking a cooperative-pool thread starves every session's
/// tasks. Callers suspend on a continuation instead. Writes that arrive while one group
/// commits are committed together in the next one (group commit), each inside its own
/// savepoint so that one failing write fails only its caller.
final class MemoryWriter: Sendable {
    private struct Job: Sendable {
        let run: @Sendable (SQLiteDatabase) throws -> any Sendable
        let finish: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var drainScheduled = false
        var closed = false
    }

    // LockedValue, not Mutex: callers' threads and the writer queue meet here, and the
    // thread sanitizer must see the lock.
    private let state = LockedValue(State())
    // Only touched on `queue`; the mutex makes that provable to the compiler and is never contended.
    private let connection: LockedValue<SQLiteDatabase>
    private let queue = DispatchQueue(label: "trellis.memory-writer")
    private let path: String

    init(_ connection: sending SQLiteDatabase) {
        path = connection.path
        self.connection = LockedValue(connection)
    }

    /// Runs `work` in a transaction on the writer queue and returns its result once committed.
    func perform<Value: Sendable>(_ work: @escaping @Sendable (SQLiteDatabase) throws -> Value) async throws -> Value {
        let path = self.path
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let job = Job(run: { database in try work(database) }, finish: { result in
                switch result {
                case .success(let value as Value): continuation.resume(returning: value)
                case .success: continuation.resume(throwing: SessionError.store("memory '\(path)': a write returned the wrong type"))
                case .failure(let error): continuation.resume(throwing: error)
                }
            })
            let schedule: Bool? = state.withLock { state in
                guard !state.closed else { return nil }
                state.jobs.append(job)
                defer { state.drainScheduled = true }
                return !state.drainScheduled
            }
            switch schedule {
            case nil: continuation.resume(throwing: SessionError.store("the memory at '\(path)' is closed"))
            case true?: queue.async { self.drain() }
            case false?: break
            }
        }
    }

    /// Refuses new writes, waits for queued ones, and closes the connection.
    func close() {
        state.withLock { $0.closed = true }
        queue.sync {}
        connection.withLock { $0.close() }
    }

    private func drain() {
        let jobs = state.withLock { state in
            defer {
                state.jobs.removeAll()
                state.drainScheduled = false
            }
            return state.jobs
        }
        var results: [Result<any Sendable, any Error>] = []
        connection.withLock { database in
            do {
                try database.execute("BEGIN IMMEDIATE")
            } catch {
                results = jobs.map { _ in .failure(error) }
                return
            }
            for job in jobs {
                do {
                    try database.execute("SAVEPOINT job")
                    let value = try job.run(database)
                    try database.execute("RELEASE job")
                    results.append(.success(value))
                } catch {
                    try? database.execute("ROLLBACK TO job")
                    try? database.execute("RELEASE job")
                    results.append(.failure(error))
                }
            }
            do {
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                results = jobs.map { _ in .failure(error) }
            }
        }
        for (job, result) in zip(jobs, results) { job.finish(result) }
    }
}
