import Foundation
import Synchronization
import TrellisEngine

/// The durable session store: sessions, their messages and a journal of turns in one
/// SQLite database in WAL mode.
///
/// One connection serves the whole process, guarded by a lock. Writes go through a queue
/// drained by one writer thread, so fsyncs never block the cooperative thread pool and
/// concurrent turns share commits: in `sync` mode a caller waits until the group holding
/// its write is committed and synced; in `batched` and `off` modes it does not wait at all
/// (see `Durability`). Reads (`loadSessions`, `journal`) take the lock directly.
public final class SessionStore: Sendable {
    /// The store's settings.
    public let options: SessionStoreOptions
    /// The database file.
    public let path: String
    let database: LockedDatabase
    private let writer: StoreWriter

    /// Opens (creating if needed) the store at `path`. `onWriteFailure` hears about failed
    /// commits of writes nobody waits for (batched and off modes).
    public init(
        path: String, options: SessionStoreOptions = SessionStoreOptions(),
        onWriteFailure: (@Sendable (String) -> Void)? = nil
    ) throws(SessionError) {
        self.options = options
        self.path = path
        try Self.checkExistingFile(at: path)
        let connection: SQLiteDatabase
        do {
            connection = try SQLiteDatabase(path: path)
            try connection.execute("PRAGMA journal_mode=WAL")
            let synchronous: String
            switch options.durability {
            case .sync: synchronous = "FULL"
            case .batched: synchronous = "NORMAL"
            case .off: synchronous = "OFF"
            }
            try connection.execute("PRAGMA synchronous=\(synchronous)")
            try Self.createSchema(connection)
        } catch {
            throw SessionError.store("cannot open the session store at '\(path)': \(error)")
        }
        let database = LockedDatabase(connection)
        self.database = database
        writer = StoreWriter(options: options, onFailure: onWriteFailure) { writes in
            try database.withConnection { connection in try Self.commit(writes, options: options, to: connection) }
        }
    }

    deinit { writer.close() }

    private static func createSchema(_ database: SQLiteDatabase) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS sessions(
                session_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, session_type TEXT NOT NULL,
                trust_tier TEXT NOT NULL, trace_id TEXT NOT NULL, config TEXT NOT NULL, seed_ref TEXT,
                signal_topic TEXT NOT NULL, turn_count INTEGER NOT NULL, message_sequence INTEGER NOT NULL,
                working_memory TEXT NOT NULL, goals TEXT NOT NULL, cognitive_mode TEXT NOT NULL,
                summary TEXT, window_start INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0,
                updated_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS messages(
                session_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL,
                message TEXT NOT NULL, PRIMARY KEY(session_id, seq)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS journal(
                session_id TEXT NOT NULL, turn INTEGER NOT NULL, input TEXT NOT NULL, reply TEXT NOT NULL,
                latency_us INTEGER NOT NULL, node_timings TEXT NOT NULL, recorded_at REAL NOT NULL,
                PRIMARY KEY(session_id, turn)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS checkpoints(
                session_id TEXT PRIMARY KEY, snapshot TEXT NOT NULL, recorded_at REAL NOT NULL);
            PRAGMA user_version=1;
            """)
    }

    // MARK: Writing

    /// Creates or replaces a session and its window of messages.
    public func save(_ session: StoredSession) async throws(SessionError) {
        try await writer.submit(.session(session))
    }

    /// Records a completed turn. In `sync` mode, returns once it is committed and synced.
    public func record(_ turn: TurnRecord) async throws(SessionError) {
        try await writer.submit(.turn(turn))
    }

    /// Records a heartbeat's changes to goals and cognitive mode.
    public func recordState(sessionID: String, goals: [ContextValue], cognitiveMode: String) async throws(SessionError) {
        try await writer.submit(.state(sessionID: sessionID, goals: goals, cognitiveMode: cognitiveMode))
    }

    /// Stores a checkpoint snapshot of a session (the `session.checkpoint` node).
    public func checkpoint(sessionID: String, snapshot: ContextValue) async throws(SessionError) {
        try await writer.submit(.checkpoint(sessionID: sessionID, snapshot: snapshot))
    }

    /// Marks a session stopped: it is kept but no longer restored.
    public func markStopped(sessionID: String) async throws(SessionError) {
        try await writer.submit(.stop(sessionID: sessionID))
    }

    /// Commits everything queued so far, whatever the durability mode, and waits for it.
    public func flush() async throws(SessionError) {
        try await writer.flush()
    }

    /// Commits what is queued and stops the writer; later writes fail.
    public func close() { writer.close() }

    static func commit(_ writes: [StoreWrite], options: SessionStoreOptions, to database: SQLiteDatabase) throws {
        try database.execute("BEGIN IMMEDIATE")
        do {
            for write in writes { try apply(write, options: options, to: database) }
            try database.execute("COMMIT")
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    private static func apply(_ write: StoreWrite, options: SessionStoreOptions, to database: SQLiteDatabase) throws {
        let now = SQLiteValue.double(Date().timeIntervalSince1970)
        switch write {
        case .session(let session):
            try database.run("""
                INSERT INTO sessions(session_id, agent_id, session_type, trust_tier, trace_id, config, seed_ref,
                    signal_topic, turn_count, message_sequence, working_memory, goals, cognitive_mode, summary,
                    window_start, stopped, updated_at)
                VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0, ?16)
                ON CONFLICT(session_id) DO UPDATE SET agent_id=?2, session_type=?3, trust_tier=?4, trace_id=?5,
                    config=?6, seed_ref=?7, signal_topic=?8, turn_count=?9, message_sequence=?10,
                    working_memory=?11, goals=?12, cognitive_mode=?13, summary=?14, window_start=?15, stopped=0,
                    updated_at=?16
                """, [
                    .text(session.sessionID), .text(session.agentID), .text(session.sessionType),
                    .text(session.trustTier), .text(session.traceID), .text(session.config.jsonText),
                    session.seedRef.map { .text($0) } ?? .null, .text(session.signalTopic),
                    .integer(Int64(session.turnCount)), .integer(Int64(session.messageSequence)),
                    .text(session.workingMemory.jsonText), .text(ContextValue.list(session.goals).jsonText),
                    .text(session.cognitiveMode), session.summary.map { .text($0.jsonText) } ?? .null,
                    .integer(Int64(session.windowStart)), now,
                ])
            try database.run("DELETE FROM messages WHERE session_id=?1", [.text(session.sessionID)])
            let first = session.messageSequence - session.messages.count
            try insertMessages(session.messages, sessionID: session.sessionID, first: first, into: database)
        case .turn(let turn):
            try insertMessages(turn.messages, sessionID: turn.sessionID, first: turn.firstSequence, into: database)
            let sequence = turn.firstSequence + turn.messages.count
            try database.run("""
                INSERT OR REPLACE INTO journal(session_id, turn, input, reply, latency_us, node_timings, recorded_at)
                VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """, [
                    .text(turn.sessionID), .integer(Int64(turn.turn)), .text(turn.input), .text(turn.reply),
                    .integer(Int64(turn.latencyMicroseconds)), .text(ContextValue.list(turn.nodeTimings).jsonText), now,
                ])
            try database.run(
                "UPDATE sessions SET turn_count=?2, message_sequence=?3, updated_at=?4 WHERE session_id=?1",
                [.text(turn.sessionID), .integer(Int64(turn.turn)), .integer(Int64(sequence)), now])
            if let memory = turn.workingMemory {
                try database.run("UPDATE sessions SET working_memory=?2 WHERE session_id=?1",
                                 [.text(turn.sessionID), .text(memory.jsonText)])
            }
            if let window = turn.window {
                try database.run("UPDATE sessions SET summary=?2, window_start=?3 WHERE session_id=?1", [
                    .text(turn.sessionID), window.summary.map { .text($0.jsonText) } ?? .null,
                    .integer(Int64(window.start)),
                ])
            }
            if let keep = options.maxMessagesPerSession {
                try database.run("DELETE FROM messages WHERE session_id=?1 AND seq < ?2",
                                 [.text(turn.sessionID), .integer(Int64(sequence - keep))])
            }
            if let keep = options.maxJournalEntriesPerSession {
                try database.run("DELETE FROM journal WHERE session_id=?1 AND turn <= ?2",
                                 [.text(turn.sessionID), .integer(Int64(turn.turn - keep))])
            }
        case .state(let sessionID, let goals, let mode):
            try database.run("UPDATE sessions SET goals=?2, cognitive_mode=?3, updated_at=?4 WHERE session_id=?1",
                             [.text(sessionID), .text(ContextValue.list(goals).jsonText), .text(mode), now])
        case .checkpoint(let sessionID, let snapshot):
            try database.run("INSERT OR REPLACE INTO checkpoints(session_id, snapshot, recorded_at) VALUES(?1, ?2, ?3)",
                             [.text(sessionID), .text(snapshot.jsonText), now])
        case .stop(let sessionID):
            try database.run("UPDATE sessions SET stopped=1, updated_at=?2 WHERE session_id=?1", [.text(sessionID), now])
        case .flush:
            break
        }
    }

    private static func insertMessages(
        _ messages: [ContextValue], sessionID: String, first: Int, into database: SQLiteDatabase
    ) throws {
        for (offset, message) in messages.enumerated() {
            let role: String
            let content: String
            if case .map(let fields) = message {
                role = fields["role"]?.stringValue ?? ""
                content = fields["content"]?.stringValue ?? ""
            } else {
                role = ""
                content = message.stringValue
            }
            try database.run(
                "INSERT OR REPLACE INTO messages(session_id, seq, role, content, message) VALUES(?1, ?2, ?3, ?4, ?5)",
                [.text(sessionID), .integer(Int64(first + offset)), .text(role), .text(content), .text(message.jsonText)])
        }
    }
}
