import TrellisEngine

extension SessionStore {
    /// Every session not marked stopped, with the messages of its window, oldest session first.
    public func loadSessions() throws(SessionError) -> [StoredSession] {
        do {
            return try database.withConnection { connection in
                var sessions: [StoredSession] = []
                try connection.query("""
                    SELECT session_id, agent_id, session_type, trust_tier, trace_id, config, seed_ref, signal_topic,
                        turn_count, message_sequence, working_memory, goals, cognitive_mode, summary, window_start
                    FROM sessions WHERE stopped=0 ORDER BY updated_at, session_id
                    """) { row in
                    let goals: [ContextValue]
                    if case .list(let items) = try ContextValue(jsonText: row.text(11)) { goals = items } else { goals = [] }
                    sessions.append(StoredSession(
                        sessionID: row.text(0), agentID: row.text(1), sessionType: row.text(2), trustTier: row.text(3),
                        traceID: row.text(4), config: try ContextValue(jsonText: row.text(5)), seedRef: row.optionalText(6),
                        signalTopic: row.text(7), turnCount: row.integer(8), messages: [], messageSequence: row.integer(9),
                        workingMemory: try ContextValue(jsonText: row.text(10)), goals: goals, cognitiveMode: row.text(12),
                        summary: try row.optionalText(13).map { try ContextValue(jsonText: $0) }, windowStart: row.integer(14)))
                }
                for index in sessions.indices {
                    var messages: [ContextValue] = []
                    try connection.query(
                        "SELECT message FROM messages WHERE session_id=?1 AND seq >= ?2 ORDER BY seq",
                        [.text(sessions[index].sessionID), .integer(Int64(sessions[index].windowStart))]
                    ) { row in messages.append(try ContextValue(jsonText: row.text(0))) }
                    sessions[index].messages = messages
                }
                return sessions
            }
        } catch {
            throw SessionError.store("cannot read sessions from '\(path)': \(error)")
        }
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
