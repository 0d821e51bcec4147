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

    /// The session the write belongs to (`nil` for a flush marker).
    var sessionID: String? {
        switch self {
        case .session(let session): return session.sessionID
        case .turn(let turn): return turn.sessionID
        case .state(let sessionID, _, _), .checkpoint(let sessionID, _), .stop(let sessionID): return sessionID
        case .flush: return nil
        }
    }
}

/// A write as queued: with the lease token it was made under (a shared store fences it
/// with that token in the database; `nil` for a store without leases).
struct QueuedWrite: Sendable {
    var write: StoreWrite
    var token: Int64?
}

/// The store's writer: a queue of writes drained by one dedicated thread, which commits
/// each group in one transaction. Blocking on fsync (or on the network, for PostgreSQL)
/// happens on this thread, never on the cooperative pool. Callers that must wait (sync
/// mode, `flush`, or a queue already holding `maxQueuedWrites`) park a continuation that the
/// thread resumes after the commit of the group holding their write — with an error when the
/// backend rejected that write (a lease lost).
final class StoreWriter: @unchecked Sendable {
    private struct Entry {
        var queued: QueuedWrite
        var waiter: CheckedContinuation<Void, any Error>?
    }

    // Guarded by `condition`.
    private var pending: [Entry] = []
    private var urgent = false
    private var closing = false
    private var finished = false

    private let condition = NSCondition()
    private let options: SessionStoreOptions
    private let onFailure: (@Sendable (String) -> Void)?
    /// Commits a group in one transaction; returns the writes it refused (by index) with why.
    private let commit: @Sendable ([QueuedWrite]) throws -> [Int: String]

    init(
        options: SessionStoreOptions, onFailure: (@Sendable (String) -> Void)?,
        commit: @escaping @Sendable ([QueuedWrite]) throws -> [Int: String]
    ) {
        self.options = options
        self.onFailure = onFailure
        self.commit = commit
        let thread = Thread { [self] in
            nameCurrentThread("trellis-store")
            self.drain()
        }
        thread.start()
    }

    /// Queues `write` (made under lease `token`); in `sync` mode, or when the queue already
    /// holds `maxQueuedWrites`, waits until it is committed.
    func submit(_ write: StoreWrite, token: Int64? = nil) async throws(SessionError) {
        let queued = QueuedWrite(write: write, token: token)
        guard options.durability != .sync else { return try await enqueueAndWait(queued) }
        switch enqueue(queued) {
        case .queued: return
        case .full: try await enqueueAndWait(queued)
        case .closed: throw SessionError.store("the session store is closed")
        }
    }

    /// What `enqueue` did with a write.
    private enum Enqueued { case queued, full, closed }

    /// Queues a write nobody waits for, unless the queue is full (the caller then waits for
    /// its commit: backpressure) or the writer is closed.
    private func enqueue(_ write: QueuedWrite) -> Enqueued {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return .closed }
        guard pending.count < options.maxQueuedWrites else { return .full }
        pending.append(Entry(queued: write, waiter: nil))
        if pending.count >= options.batchSize { urgent = true }
        // Wake the thread only when it has something new to do: the first write of a group
        // (it waits for one), or the group just filled (it waits out the batch interval
        // otherwise). A signal per write woke it for every write of the interval, only for
        // it to wait again: a thread wake-up per turn.
        if pending.count == 1 || pending.count == options.batchSize { condition.signal() }
        return .queued
    }

    /// Commits everything queued so far and waits for it.
    func flush() async throws(SessionError) {
        try await enqueueAndWait(QueuedWrite(write: .flush, token: nil))
    }

    private func enqueueAndWait(_ write: QueuedWrite) async throws(SessionError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                if closing {
                    condition.unlock()
                    continuation.resume(throwing: SessionError.store("the session store is closed"))
                    return
                }
                pending.append(Entry(queued: write, waiter: continuation))
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
            let entries = pending
            pending.removeAll(keepingCapacity: true)
            urgent = false
            condition.unlock()

            let rejected: [Int: String]
            do {
                rejected = try commit(entries.map(\.queued))
            } catch {
                let message = "session store commit failed: \(error)"
                if entries.allSatisfy({ $0.waiter == nil }) { onFailure?(message) }
                for entry in entries { entry.waiter?.resume(throwing: SessionError.store(message)) }
                continue
            }
            for (index, entry) in entries.enumerated() {
                if let reason = rejected[index] {
                    if let waiter = entry.waiter { waiter.resume(throwing: SessionError.leaseLost(reason)) } else { onFailure?(reason) }
                } else {
                    entry.waiter?.resume()
                }
            }
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
