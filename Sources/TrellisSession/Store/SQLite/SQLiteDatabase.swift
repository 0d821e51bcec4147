import CSQLite

/// An error reported by SQLite: its result code, its own message, and the SQL concerned.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's (extended) result code.
    public var code: Int32
    /// SQLite's message (`sqlite3_errmsg`).
    public var message: String
    /// The statement that failed, when one did.
    public var sql: String?

    /// The error as one line: message, code and statement.
    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }
}

/// A value bound to or read from a SQLite statement.
enum SQLiteValue {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
}

/// One row of a query result, valid only inside the row callback.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    /// The integer in column `index` (0 for NULL).
    func integer(_ index: Int32) -> Int { Int(sqlite3_column_int64(statement, index)) }

    /// The text in column `index` (empty for NULL).
    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, index) else { return "" }
        return String(cString: bytes)
    }

    /// The first `count` columns as text, NULL as `nil` (an integer column reads as its
    /// digits; SQLite types values, not columns, so a damaged row may hold anything).
    func texts(_ count: Int32) -> [String?] { (0..<count).map { optionalText($0) } }

    /// The text in column `index`, or `nil` for NULL.
    func optionalText(_ index: Int32) -> String? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : text(index)
    }
}

/// A single SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself: the owner (`SessionStore`) serialises every use behind one
/// lock, which is why the class is `@unchecked Sendable` — it is only ever reached through it.
final class SQLiteDatabase: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// The file this connection opened.
    let path: String

    /// SQLite copies bound text immediately (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (creating if needed) the database at `path`; `readOnly` opens an existing file
    /// without ever writing to it (closing a read-only connection does not checkpoint the WAL).
    init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        self.path = path
        var connection: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw SQLiteError(code: code, message: "cannot open '\(path)': \(message)", sql: nil)
        }
        handle = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, 5_000)
    }

    deinit { close() }

    /// Finalizes the cached statements and closes the connection; later calls fail.
    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func failure(_ code: Int32, _ sql: String?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "the database is closed"
        return SQLiteError(code: code, message: message, sql: sql)
    }

    /// Runs one or more statements without bindings or results (schema, pragmas, BEGIN/COMMIT).
    func execute(_ sql: String) throws(SQLiteError) {
        guard let handle else { throw failure(SQLITE_MISUSE, sql) }
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw failure(code, sql) }
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        guard let handle else { throw failure(SQLITE_MISUSE, sql) }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw failure(code, sql) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLiteValue], to statement: OpaquePointer, sql: String) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .double(let number): code = sqlite3_bind_double(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            }
            guard code == SQLITE_OK else { throw failure(code, sql) }
        }
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement, sql: sql)
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code, sql) }
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and calls `row` for each result row, in order.
    func query(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void) throws {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement, sql: sql)
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code, sql) }
            try row(SQLiteRow(statement: statement))
        }
    }

    /// Brings the file's schema to `version` in one transaction: refuses a file from a newer
    /// version, lets `upgrade` create or convert an older one (it is given the file's version,
    /// 0 for a new file), and records `version` in `PRAGMA user_version`. Any failure rolls
    /// everything back, so an interrupted upgrade leaves the file as it was.
    func migrateSchema(to version: Int, _ upgrade: (_ from: Int) throws -> Void) throws {
        try execute("BEGIN IMMEDIATE")
        do {
            let found = Int(try scalarText("PRAGMA user_version") ?? "0") ?? 0
            if found > version {
                throw SessionError.store("its schema version \(found) is newer than this Trellis understands (\(version))")
            }
            if found < version { try upgrade(found) }
            try execute("PRAGMA user_version=\(version)")
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The single text value of a query (a pragma's answer), or `nil` when it returns no row.
    func scalarText(_ sql: String) throws -> String? {
        var result: String?
        try query(sql) { row in result = row.text(0) }
        return result
    }
}
