import Foundation

extension SessionStore {
    /// Checks an existing store file before anything writes to it: its write-ahead log must
    /// not hide damaged commits (`WALInspection`), and `PRAGMA quick_check` must pass on a
    /// read-only connection. Either failure throws a message naming the file and what to do,
    /// and leaves the file exactly as it was — the store is refused, not opened read-write.
    static func checkExistingFile(at path: String) throws(SessionError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            if let log = try WALInspection.inspect(databasePath: path), log.losesCommits {
                throw SessionError.store("""
                    the session store '\(path)' has a damaged write-ahead log: frame \(log.firstDamagedFrame ?? 0) of \
                    '\(path)-wal' fails its checksum, and SQLite would silently drop the \(log.droppedCommits) committed \
                    transaction(s) after it (\(log.validFrames) frame(s) before it are intact). Nothing was written. \
                    Restore the store from a backup, or move '\(path)-wal' aside to accept the loss.
                    """)
            }
        } catch let error as SessionError {
            throw error
        } catch {
            throw SessionError.store("cannot read the write-ahead log of the session store '\(path)': \(error)")
        }
        let problems: [String]
        do {
            let connection = try SQLiteDatabase(path: path, readOnly: true)
            defer { connection.close() }
            var lines: [String] = []
            try connection.query("PRAGMA quick_check(20)") { row in lines.append(row.text(0)) }
            problems = lines == ["ok"] ? [] : lines
        } catch {
            problems = ["\(error)"]
        }
        guard problems.isEmpty else {
            throw SessionError.store("""
                the session store '\(path)' failed its integrity check, so it was not opened and nothing was written to it: \
                \(problems.joined(separator: "; ")). Restore it from a backup, or salvage it with \
                `sqlite3 '\(path)' .recover | sqlite3 NEW.sqlite` and start with --store NEW.sqlite.
                """)
        }
    }
}
