import TrellisCore

/// The store's one SQLite connection behind a lock: every use of the connection, by the
/// writer thread or by a reader, goes through `withConnection`.
final class LockedDatabase: Sendable {
    private let connection: LockedValue<SQLiteDatabase>

    init(_ connection: sending SQLiteDatabase) { self.connection = LockedValue(connection) }

    /// Runs `body` with exclusive use of the connection.
    func withConnection<Result>(_ body: (SQLiteDatabase) throws -> Result) rethrows -> Result {
        try connection.withLock { database in try body(database) }
    }
}
