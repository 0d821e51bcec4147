import TrellisEngine

/// What a session store keeps its data in: the SQLite file (`SQLiteSessionBackend`) or a
/// PostgreSQL database shared by several hosts (`PostgresSessionBackend`). `SessionStore`
/// owns the writer thread and the durability rules; a backend only runs SQL.
///
/// Thread use: `commit` is called only on the store's writer thread; reads may be called
/// from any thread and serialise on the backend's own lock.
protocol SessionStoreBackend: Sendable {
    /// Commits a group of writes in one transaction. Returns the writes it refused (by index,
    /// with why) while committing the others; throws when the whole group failed.
    func commit(_ writes: [QueuedWrite], options: SessionStoreOptions) throws -> [Int: String]
    /// Every session not marked stopped; damaged ones reported in `corrupt`.
    func loadSessions() throws -> SessionLoad
    /// One session not marked stopped, or `nil`; throws `CorruptRow` when its rows are damaged.
    func loadSession(_ sessionID: String) throws -> StoredSession?
    /// A session's journal, oldest turn first.
    func journal(sessionID: String) throws -> [JournalEntry]
    /// A session's last checkpoint snapshot, or `nil`.
    func lastCheckpoint(sessionID: String) throws -> ContextValue?
    /// Closes the backend's connections (after the writer has stopped).
    func close()
}
