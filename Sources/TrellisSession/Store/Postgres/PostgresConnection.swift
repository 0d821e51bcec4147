import Foundation
import CLibPQ

/// An error reported by PostgreSQL or libpq: its SQLSTATE (when the server sent one), its
/// message, and the statement concerned. Never holds the connection string.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The SQLSTATE code (`40001`, `23505`, ...), or `nil` for a client-side failure.
    public var sqlState: String?
    /// The server's or libpq's message.
    public var message: String
    /// The statement that failed, when one did.
    public var sql: String?

    /// The error as one line.
    public var description: String {
        var text = "PostgreSQL error\(sqlState.map { " \($0)" } ?? ""): \(message)"
        if let sql { text += " (in: \(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")))" }
        return text
    }
}

/// One libpq connection: statements with text parameters and text results.
///
/// libpq is synchronous per connection and not safe to share between threads, so the class
/// is `@unchecked Sendable` only because its owner serialises every use (the store's writer
/// thread, or a lock around the read/lease connection) and never calls it from the
/// cooperative thread pool for long.
final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?

    /// Connects with a `postgres://` / `postgresql://` URL; libpq reads what the URL leaves
    /// out (password, TLS mode, ...) from its environment (`PGPASSWORD`, `PGSSLMODE`, ...).
    /// `redacted` is how errors name the server (the URL without its password).
    init(url: String, redacted: String) throws(PostgresError) {
        let connection = PQconnectdb(url)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { Self.trimmed(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            PQfinish(connection)
            throw PostgresError(sqlState: nil, message: "cannot connect to \(redacted): \(message)", sql: nil)
        }
        handle = connection
        // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit { close() }

    /// Closes the connection; later calls fail.
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `sql` with `$1…$n` bound to `parameters` (text, or NULL for `nil`); returns the
    /// rows as text (NULL as `nil`). Several statements without parameters may be sent at once.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> [[String?]] {
        guard let handle else { throw PostgresError(sqlState: nil, message: "the connection is closed", sql: sql) }
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(handle, sql)
        } else {
            let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
            defer { copies.forEach { free($0) } }
            result = copies.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: copies.count) { values in
                    PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
                }
            }
        }
        guard let result else {
            throw PostgresError(sqlState: nil, message: Self.trimmed(String(cString: PQerrorMessage(handle))), sql: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorMessage(result).map { Self.trimmed(String(cString: $0)) } ?? "unknown error"
            throw PostgresError(sqlState: state, message: message, sql: sql)
        }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// Runs `body` inside BEGIN … COMMIT, rolling back when it throws.
    func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}
