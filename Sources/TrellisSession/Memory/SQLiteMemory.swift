import Foundation
import TrellisEngine

/// Long-term memory in a SQLite database with an FTS5 full-text index: the embedded
/// default memory for `trellis chat` and `serve` (see `docs/memory.md`).
///
/// `update` stores each turn's entry (user message, reply, input type, turn number, working
/// memory when the entry has one) with the time it was stored; `recall` returns the
/// entries of the same agent that share words with the query, best first by BM25 and
/// recency (the formula is on `SQLiteMemoryOptions`), at most `recallLimit`, exactly as
/// they were stored, so the recall handler and graphs see what `InMemoryMemory` gives
/// them. Every statement filters on the agent id: agents never see each other's memories.
/// `consolidate(agentID:now:)` applies a `MemoryConsolidationPolicy`.
///
/// Threads and locks: the database is in WAL mode, so readers never wait for the writer.
/// Writes go to one connection on its own dispatch queue (`MemoryWriter`) because a commit
/// may block on the disk. Recalls are one short, `LIMIT`ed statement each, cheap enough to
/// run on the caller's thread, and they share a small pool of read-only connections, each
/// behind its own lock (`MemoryReaderPool`): a recall takes the first free one, so
/// concurrent sessions recall in parallel instead of queueing on one global lock.
public final class SQLiteMemory: ConsolidatingMemory {
    /// The database file.
    public let path: String
    /// The memory's settings.
    public let options: SQLiteMemoryOptions
    /// The schema version this code writes (`PRAGMA user_version`).
    public static let schemaVersion = 1

    private let writer: MemoryWriter
    private let readers: MemoryReaderPool
    private let clock: @Sendable () -> Date

    /// Opens (creating the file, its directory and the schema if needed) the memory at
    /// `path`. `clock` gives the time entries are stored at and recalls rank against.
    /// `path` must name a file: `:memory:` would give each connection its own empty database.
    public init(
        path: String, options: SQLiteMemoryOptions = SQLiteMemoryOptions(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(SessionError) {
        self.path = path
        self.options = options
        self.clock = clock
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let connection = try SQLiteDatabase(path: path)
            try connection.execute("PRAGMA journal_mode=WAL")
            // Memory is advisory: after a power loss the last turns may be missing, never corrupt.
            try connection.execute("PRAGMA synchronous=NORMAL")
            try Self.migrate(connection)
            writer = MemoryWriter(connection)
            readers = try MemoryReaderPool(path: path, count: options.readerConnections)
        } catch {
            throw SessionError.store("cannot open the memory at '\(path)': \(error)")
        }
    }

    deinit { close() }

    /// Commits queued writes and closes every connection; later calls fail.
    public func close() {
        writer.close()
        readers.close()
    }

    /// Creates the schema of version 1 on a new file; refuses a file from a newer version.
    private static func migrate(_ database: SQLiteDatabase) throws {
        try database.migrateSchema(to: schemaVersion) { _ in
            // `memories` holds the rows; `memories_fts` indexes their text as an external-content
            // FTS5 table (no second copy of the text), kept in step by the triggers.
            try database.execute("""
                CREATE TABLE IF NOT EXISTS memories(
                    id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, created_at INTEGER NOT NULL,
                    turn INTEGER NOT NULL, input_type TEXT NOT NULL, input TEXT NOT NULL,
                    response TEXT NOT NULL, working_memory TEXT, merged_turns INTEGER NOT NULL DEFAULT 1,
                    entry TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS memories_by_agent_time ON memories(agent_id, created_at, id);
                CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
                    input, response, working_memory, content='memories', content_rowid='id',
                    tokenize='unicode61 remove_diacritics 2');
                CREATE TRIGGER IF NOT EXISTS memories_insert AFTER INSERT ON memories BEGIN
                    INSERT INTO memories_fts(rowid, input, response, working_memory)
                    VALUES(new.id, new.input, new.response, new.working_memory);
                END;
                CREATE TRIGGER IF NOT EXISTS memories_delete AFTER DELETE ON memories BEGIN
                    INSERT INTO memories_fts(memories_fts, rowid, input, response, working_memory)
                    VALUES('delete', old.id, old.input, old.response, old.working_memory);
                END;
                """)
        }
    }

    // MARK: MemoryAdapter

    /// Stores `entry` (a map as `session.memory_update` writes it) for `agentID`, stamped with the clock's time.
    public func update(agentID: String, entry: ContextValue) async throws {
        let row = MemoryRow(entry: entry, createdAt: Self.milliseconds(clock()))
        do {
            try await writer.perform { database in try row.insert(agentID: agentID, into: database) }
        } catch {
            throw SessionError.store("cannot store a memory in '\(path)': \(error)")
        }
    }

    /// The stored entries of `agentID` best matching `query`, best first (see `SQLiteMemoryOptions`).
    public func recall(agentID: String, query: String) async throws -> [ContextValue] {
        guard options.recallLimit > 0, let match = FTSQuery.expression(for: query) else { return [] }
        let now = Self.milliseconds(clock())
        let halfLife = Double(options.recencyHalfLife.components.seconds) * 1_000
            + Double(options.recencyHalfLife.components.attoseconds) / 1e15
        let values: [SQLiteValue] = [
            .text(match), .text(agentID), .integer(now), .double(options.recencyWeight), .double(halfLife),
            .integer(Int64(options.recallLimit)),
        ]
        do {
            return try withReader { database in
                var found: [ContextValue] = []
                try database.query("""
                    SELECT m.entry FROM memories_fts JOIN memories AS m ON m.id = memories_fts.rowid
                    WHERE memories_fts MATCH ?1 AND m.agent_id = ?2
                    ORDER BY -bm25(memories_fts, 2.0, 1.0, 0.5)
                        * (1.0 + ?4 / (1.0 + MAX(0, ?3 - m.created_at) / ?5)) DESC, m.created_at DESC, m.id DESC
                    LIMIT ?6
                    """, values) { row in found.append(try ContextValue(jsonText: row.text(0))) }
                return found
            }
        } catch {
            throw SessionError.store("cannot recall memories from '\(path)': \(error)")
        }
    }

    // MARK: Inspection

    /// Every entry of `agentID`, oldest first (tests and tools; not bounded by `recallLimit`).
    public func stored(agentID: String) throws(SessionError) -> [ContextValue] {
        do {
            return try withReader { database in
                var entries: [ContextValue] = []
                try database.query("SELECT entry FROM memories WHERE agent_id=?1 ORDER BY created_at, id",
                                   [.text(agentID)]) { row in entries.append(try ContextValue(jsonText: row.text(0))) }
                return entries
            }
        } catch {
            throw SessionError.store("cannot read memories from '\(path)': \(error)")
        }
    }

    // MARK: Internals

    func withReader<Value: Sendable>(_ body: (SQLiteDatabase) throws -> Value) throws -> Value {
        try readers.withConnection(body)
    }

    func perform<Value: Sendable>(_ work: @escaping @Sendable (SQLiteDatabase) throws -> Value) async throws -> Value {
        try await writer.perform(work)
    }

    /// Milliseconds since 1970, the unit of `created_at`.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)) }
}
