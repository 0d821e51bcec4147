import TrellisEngine

extension SessionStore {
    /// Every session not marked stopped, with the messages of its window, oldest session
    /// first. A session whose rows are damaged (bad JSON, a wrong type, an impossible value)
    /// is reported in `corrupt` with what is wrong and left out; the others load.
    public func loadSessions() throws(SessionError) -> SessionLoad {
        do {
            return try database.withConnection { connection in
                var load = SessionLoad()
                var found: [StoredSession] = []
                try connection.query(
                    "SELECT \(StoredSession.columns) FROM sessions WHERE stopped=0 ORDER BY updated_at, session_id"
                ) { row in
                    do {
                        found.append(try StoredSession.decoded(from: row.texts(15)))
                    } catch {
                        load.corrupt.append(CorruptSession(sessionID: row.text(0), reason: "\(error)"))
                    }
                }
                for var session in found {
                    do {
                        session.messages = try Self.messages(of: session, in: connection)
                        load.sessions.append(session)
                    } catch {
                        load.corrupt.append(CorruptSession(sessionID: session.sessionID, reason: "\(error)"))
                    }
                }
                return load
            }
        } catch {
            throw SessionError.store("cannot read sessions from '\(path)': \(error)")
        }
    }

    /// The messages of a session's window, oldest first; throws `CorruptRow` for a damaged one.
    private static func messages(of session: StoredSession, in connection: SQLiteDatabase) throws -> [ContextValue] {
        var messages: [ContextValue] = []
        try connection.query(
            "SELECT seq, message FROM messages WHERE session_id=?1 AND seq >= ?2 ORDER BY seq",
            [.text(session.sessionID), .integer(Int64(session.windowStart))]
        ) { row in messages.append(try StoredSession.decodedMessage(sequence: row.integer(0), row.text(1))) }
        return messages
    }

    /// The journal of a session's turns, oldest first (bounded by the retention setting).
    public func journal(sessionID: String) throws(SessionError) -> [JournalEntry] {
        do {
            return try database.withConnection { connection in
                var entries: [JournalEntry] = []
                try connection.query(
                    "SELECT turn, input, reply, latency_us, node_timings FROM journal WHERE session_id=?1 ORDER BY turn",
                    [.text(sessionID)]
                ) { row in
                    entries.append(JournalEntry(
                        turn: row.integer(0), input: row.text(1), reply: row.text(2),
                        latencyMicroseconds: row.integer(3), nodeTimingsJSON: row.text(4)))
                }
                return entries
            }
        } catch {
            throw SessionError.store("cannot read the journal of '\(sessionID)' from '\(path)': \(error)")
        }
    }

    /// The last checkpoint snapshot of a session, or `nil`.
    public func lastCheckpoint(sessionID: String) throws(SessionError) -> ContextValue? {
        do {
            return try database.withConnection { connection in
                var snapshot: ContextValue?
                try connection.query("SELECT snapshot FROM checkpoints WHERE session_id=?1", [.text(sessionID)]) { row in
                    snapshot = try ContextValue(jsonText: row.text(0))
                }
                return snapshot
            }
        } catch {
            throw SessionError.store("cannot read the checkpoint of '\(sessionID)' from '\(path)': \(error)")
        }
    }
}
