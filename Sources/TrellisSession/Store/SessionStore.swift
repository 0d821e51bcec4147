import Foundation
import TrellisEngine

/// The durable session store: sessions, their messages, a journal of turns and checkpoints,
/// in a SQLite file (one host) or a PostgreSQL database (any number of hosts, with leases).
///
/// Writes go through a queue drained by one writer thread (`StoreWriter`), so fsyncs and
/// network round trips never block the cooperative thread pool and concurrent turns share
/// commits: in `sync` mode a caller waits until the group holding its write is committed;
/// in `batched` and `off` modes it does not wait at all (see `Durability`). Reads that async
/// code makes run on the store's read queue, also off the pool.
///
/// On PostgreSQL, `leases` says which sessions this host may run: each write carries the
/// token of the lease it was made under and the database refuses it when that lease is no
/// longer current (`SessionLeases`, `PostgresSessionBackend`).
public final class SessionStore: Sendable {
    /// The store's settings.
    public let options: SessionStoreOptions
    /// Where the store lives.
    public let location: StoreLocation
    /// The store as it may be printed: the file, or the URL without its password.
    public var path: String { location.description }
    /// This host's leases, when the store is shared (PostgreSQL); `nil` for SQLite.
    public let leases: SessionLeases?
    let backend: any SessionStoreBackend
    private let writer: StoreWriter
    /// Where reads run (one at a time: each backend reads on one connection).
    private let reads = DispatchQueue(label: "trellis.session-store.reads")

    /// Opens (creating if needed) the SQLite store at `path`.
    public convenience init(
        path: String, options: SessionStoreOptions = SessionStoreOptions(),
        onWriteFailure: (@Sendable (String) -> Void)? = nil
    ) throws(SessionError) {
        try self.init(location: .sqlite(path: path), options: options, onWriteFailure: onWriteFailure)
    }

    /// Opens the store at `location`, creating or migrating its schema. On PostgreSQL this
    /// host takes leases as `hostID` (default: host name, process id and a random suffix)
    /// lasting `leaseTTL`. `onWriteFailure` hears about failed commits of writes nobody waits
    /// for (batched and off modes), and about writes refused because a lease was lost.
    public init(
        location: StoreLocation, options: SessionStoreOptions = SessionStoreOptions(),
        hostID: String? = nil, leaseTTL: Duration = .seconds(10),
        onWriteFailure: (@Sendable (String) -> Void)? = nil
    ) throws(SessionError) {
        self.options = options
        self.location = location
        switch location {
        case .sqlite(let path):
            backend = try SQLiteSessionBackend(path: path, options: options)
            leases = nil
        case .postgres(let url):
            let postgres = try PostgresSessionBackend(url: url, hostID: hostID ?? Self.defaultHostID(), leaseTTL: leaseTTL)
            backend = postgres
            leases = postgres.leases
        }
        let backend = backend
        let leases = leases
        writer = StoreWriter(options: options, onFailure: onWriteFailure) { writes in
            let rejected = try backend.commit(writes, options: options)
            // A refused write means the lease is gone: stop running that session here.
            for index in rejected.keys.sorted() {
                if let sessionID = writes[index].write.sessionID { leases?.lost(sessionID, token: writes[index].token) }
            }
            return rejected
        }
    }

    deinit { writer.close() }

    /// A host id unique to this process: host name, process id, random suffix.
    static func defaultHostID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max) % 100_000)"
    }

    // MARK: Writing

    private func submit(_ write: StoreWrite) async throws(SessionError) {
        var token: Int64?
        if let leases, let sessionID = write.sessionID {
            guard let held = leases.token(for: sessionID) else {
                throw SessionError.leaseLost("this host holds no lease on session '\(sessionID)' (it expired or another host took it over)")
            }
            token = held
        }
        try await writer.submit(write, token: token)
    }

    /// Creates or replaces a session and its window of messages.
    public func save(_ session: StoredSession) async throws(SessionError) {
        try await submit(.session(session))
    }

    /// Records a completed turn. In `sync` mode, returns once it is committed.
    public func record(_ turn: TurnRecord) async throws(SessionError) {
        try await submit(.turn(turn))
    }

    /// Records a heartbeat's changes to goals and cognitive mode.
    public func recordState(sessionID: String, goals: [ContextValue], cognitiveMode: String) async throws(SessionError) {
        try await submit(.state(sessionID: sessionID, goals: goals, cognitiveMode: cognitiveMode))
    }

    /// Stores a checkpoint snapshot of a session (the `session.checkpoint` node).
    public func checkpoint(sessionID: String, snapshot: ContextValue) async throws(SessionError) {
        try await submit(.checkpoint(sessionID: sessionID, snapshot: snapshot))
    }

    /// Marks a session stopped: it is kept but no longer restored.
    public func markStopped(sessionID: String) async throws(SessionError) {
        try await submit(.stop(sessionID: sessionID))
    }

    /// Commits everything queued so far, whatever the durability mode, and waits for it.
    public func flush() async throws(SessionError) {
        try await writer.flush()
    }

    /// Commits what is queued, stops the writer, releases this host's leases and closes the
    /// connections; later writes fail. Blocks until all that is done.
    public func close() {
        writer.close()
        backend.close()
    }

    /// `close`, run on a thread of its own so that an async caller does not block a thread
    /// of the cooperative pool on the last commit and the lease release.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { [self] in
                close()
                continuation.resume()
            }.start()
        }
    }

    // MARK: Reading

    /// Every session not marked stopped, with the messages of its window, oldest session
    /// first. A session whose rows are damaged (bad JSON, a wrong type, an impossible value)
    /// is reported in `corrupt` with what is wrong and left out; the others load. Blocks the
    /// calling thread: it is for a host's start (restoring a SQLite store) and for tools.
    public func loadSessions() throws(SessionError) -> SessionLoad {
        do { return try backend.loadSessions() } catch {
            throw SessionError.store("cannot read sessions from \(path): \(error)")
        }
    }

    /// One session not marked stopped, or `nil`; `.corrupt` when its rows are damaged. Read
    /// on the store's read queue, not on the caller's thread (a PostgreSQL read blocks on the network).
    public func loadSession(_ sessionID: String) async throws(SessionError) -> StoredSession? {
        let (backend, path) = (backend, path)
        return try await offPool { () throws(SessionError) -> StoredSession? in
            do { return try backend.loadSession(sessionID) } catch let error as CorruptRow {
                throw SessionError.corrupt("session '\(sessionID)' cannot be served: its row in the store is corrupt: \(error)")
            } catch {
                throw SessionError.store("cannot read session '\(sessionID)' from \(path): \(error)")
            }
        }
    }

    /// The journal of a session's turns, oldest first (bounded by the retention setting).
    /// Read on the store's read queue.
    public func journal(sessionID: String) async throws(SessionError) -> [JournalEntry] {
        let (backend, path) = (backend, path)
        return try await offPool { () throws(SessionError) -> [JournalEntry] in
            do { return try backend.journal(sessionID: sessionID) } catch {
                throw SessionError.store("cannot read the journal of '\(sessionID)' from \(path): \(error)")
            }
        }
    }

    /// Every session a shared store holds (not stopped), by id, with the host holding its
    /// lease; `nil` for a store without leases (SQLite: this host runs all its sessions).
    /// Read on the store's read queue.
    public func sharedSessions() async throws(SessionError) -> [SharedSession]? {
        guard let shared = backend as? PostgresSessionBackend else { return nil }
        let path = path
        return try await offPool { () throws(SessionError) -> [SharedSession]? in
            do { return try shared.sharedSessions() } catch {
                throw SessionError.store("cannot list the sessions in \(path): \(error)")
            }
        }
    }

    /// The last checkpoint snapshot of a session, or `nil`. Read on the store's read queue.
    public func lastCheckpoint(sessionID: String) async throws(SessionError) -> ContextValue? {
        let (backend, path) = (backend, path)
        return try await offPool { () throws(SessionError) -> ContextValue? in
            do { return try backend.lastCheckpoint(sessionID: sessionID) } catch {
                throw SessionError.store("cannot read the checkpoint of '\(sessionID)' from \(path): \(error)")
            }
        }
    }

    /// Runs a blocking backend call on `reads` and waits for it without holding a thread of
    /// the cooperative pool: libpq (and SQLite's file reads) block their thread, and a pool
    /// thread blocked on the network stalls every session scheduled behind it.
    private func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws(SessionError) -> Value) async throws(SessionError) -> Value {
        let result: Result<Value, SessionError> = await withCheckedContinuation { continuation in
            reads.async {
                do throws(SessionError) { continuation.resume(returning: .success(try body())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
