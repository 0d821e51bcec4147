import Foundation
import TrellisEngine

/// One queued write of the session store.
enum StoreWrite: Sendable {
    case session(StoredSession)
    case turn(TurnRecord)
    case state(sessionID: String, goals: [ContextValue], cognitiveMode: String)
    case checkpoint(sessionID: String, snapshot: ContextValue)
    case stop(sessionID: String)
    case flush
}

/// The store's writer: a queue of writes drained by one dedicated thread, which commits
/// each group in one transaction. Blocking on fsync happens on this thread, never on the
/// cooperative pool. Callers that must wait (sync mode, `flush`) park a continuation that
/// the thread resumes after the commit of the group holding their write.
final class StoreWriter: @unchecked Sendable {
    // Guarded by `condition`.
    private var pending: [StoreWrite] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var urgent = false
    private var closing = false
    private var finished = false

    private let condition = NSCondition()
    private let options: SessionStoreOptions
    private let onFailure: (@Sendable (String) -> Void)?
    private let commit: @Sendable ([StoreWrite]) throws -> Void

    init(
        options: SessionStoreOptions, onFailure: (@Sendable (String) -> Void)?,
        commit: @escaping @Sendable ([StoreWrite]) throws -> Void
    ) {
        self.options = options
        self.onFailure = onFailure
        self.commit = commit
        let thread = Thread { [self] in self.drain() }
        thread.name = "trellis.session-store"
        thread.start()
    }

    /// Queues `write`; in `sync` mode waits until it is committed.
    func submit(_ write: StoreWrite) async throws(SessionError) {
        if options.durability == .sync {
            try await enqueueAndWait(write)
        } else if !enqueue(write) {
            throw SessionError.store("the session store is closed")
        }
    }

    /// Queues a write nobody waits for; `false` when the writer is closed.
    private func enqueue(_ write: StoreWrite) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return false }
        pending.append(write)
        if pending.count >= options.batchSize { urgent = true }
        condition.signal()
        return true
    }

    /// Commits everything queued so far and waits for it.
    func flush() async throws(SessionError) {
        try await enqueueAndWait(.flush)
    }

    private func enqueueAndWait(_ write: StoreWrite) async throws(SessionError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                if closing {
                    condition.unlock()
                    continuation.resume(throwing: SessionError.store("the session store is closed"))
                    return
                }
                pending.append(write)
                waiters.append(continuation)
                urgent = true
                condition.signal()
                condition.unlock()
            }
        } catch let error as SessionError {
            throw error
        } catch {
            throw SessionError.store("the session store could not commit: \(error)")
        }
    }

    /// Commits what is queued, stops the thread and waits for it.
    func close() {
        condition.lock()
        closing = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func drain() {
        let interval = options.batchInterval.components
        let seconds = Double(interval.seconds) + Double(interval.attoseconds) / 1e18
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && closing { break }
            if !urgent && !closing {
                // Group writes: wait out the batch interval unless the batch fills or someone waits.
                let deadline = Date(timeIntervalSinceNow: seconds)
                while !urgent && !closing && pending.count < options.batchSize {
                    if !condition.wait(until: deadline) { break }
                }
            }
            let writes = pending
            let parked = waiters
            pending.removeAll(keepingCapacity: true)
            waiters.removeAll(keepingCapacity: true)
            urgent = false
            condition.unlock()

            var failure: (any Error)?
            do { try commit(writes) } catch { failure = error }
            if let failure {
                if parked.isEmpty { onFailure?("session store commit failed: \(failure)") }
                for waiter in parked { waiter.resume(throwing: SessionError.store("session store commit failed: \(failure)")) }
            } else {
                for waiter in parked { waiter.resume() }
            }
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
