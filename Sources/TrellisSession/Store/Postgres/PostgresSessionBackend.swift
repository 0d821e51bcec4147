import Foundation
import TrellisCore
import TrellisEngine

/// The session store in a PostgreSQL database that several hosts share, through libpq.
///
/// Same tables as the SQLite store, keyed by `session_id` (so they shard with Citus by that
/// column), plus `session_leases` and `trellis_schema` (the schema version, migrated at
/// start under an advisory lock). Every write is fenced: the commit first locks the lease
/// rows of the group's sessions `FOR SHARE`, keeping only writes whose token is current and
/// owned by this host. A takeover (possible only after the expiry, by the database's clock)
/// increments the token, and its UPDATE waits for a transaction holding the row, so no
/// write made under an old token lands after a takeover. A write after the expiry that no
/// host took over is still accepted: nobody else has written since.
///
/// Connections: one for the writer thread (commits), one for reads; the leases have their
/// own (`SessionLeases`).
final class PostgresSessionBackend: SessionStoreBackend {
    /// The schema version this build creates and understands.
    static let schemaVersion = 1
    /// The database as it may be printed (no password).
    let location: String
    let leases: SessionLeases
    private let writerConnection: LockedValue<PostgresConnection>
    private let readConnection: LockedValue<PostgresConnection>

    init(url: String, hostID: String, leaseTTL: Duration) throws(SessionError) {
        location = StoreLocation.redacted(url)
        do {
            let writer = try PostgresConnection(url: url, redacted: location)
            try Self.migrate(writer)
            writerConnection = LockedValue(writer)
            readConnection = LockedValue(try PostgresConnection(url: url, redacted: location))
            leases = SessionLeases(connection: try PostgresConnection(url: url, redacted: location), hostID: hostID, ttl: leaseTTL)
        } catch {
            throw SessionError.store("cannot open the session store at \(location): \(error)")
        }
    }

    /// Creates the tables, or checks their version, in one transaction that concurrent hosts serialise on.
    private static func migrate(_ connection: PostgresConnection) throws {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(7310221)")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS trellis_schema(
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), version integer NOT NULL);
                CREATE TABLE IF NOT EXISTS sessions(
                    session_id text PRIMARY KEY, agent_id text NOT NULL, session_type text NOT NULL,
                    trust_tier text NOT NULL, trace_id text NOT NULL, config text NOT NULL, seed_ref text,
                    signal_topic text NOT NULL, turn_count bigint NOT NULL, message_sequence bigint NOT NULL,
                    working_memory text NOT NULL, goals text NOT NULL, cognitive_mode text NOT NULL,
                    summary text, window_start bigint NOT NULL, stopped boolean NOT NULL DEFAULT false,
                    updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
                CREATE TABLE IF NOT EXISTS messages(
                    session_id text NOT NULL, seq bigint NOT NULL, role text NOT NULL, content text NOT NULL,
                    message text NOT NULL, PRIMARY KEY(session_id, seq));
                CREATE TABLE IF NOT EXISTS journal(
                    session_id text NOT NULL, turn bigint NOT NULL, input text NOT NULL, reply text NOT NULL,
                    latency_us bigint NOT NULL, node_timings text NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY(session_id, turn));
                CREATE TABLE IF NOT EXISTS checkpoints(
                    session_id text PRIMARY KEY, snapshot text NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp());
                CREATE TABLE IF NOT EXISTS session_leases(
                    session_id text PRIMARY KEY, owner text NOT NULL, token bigint NOT NULL,
                    expires_at timestamptz NOT NULL);
                """)
            let rows = try connection.execute("SELECT version FROM trellis_schema")
            if let found = rows.first?[0].flatMap({ Int($0) }) {
                guard found <= schemaVersion else {
                    throw PostgresError(sqlState: nil, message: "schema version \(found) is newer than this Trellis understands (\(schemaVersion)); upgrade Trellis", sql: nil)
                }
                // Migrations from older versions go here, one step per version.
            } else {
                try connection.execute("INSERT INTO trellis_schema(version) VALUES(\(schemaVersion))")
            }
        }
    }

    func close() {
        leases.close()
        writerConnection.withLock { $0.close() }
        readConnection.withLock { $0.close() }
    }

    // MARK: Writing

    func commit(_ writes: [QueuedWrite], options: SessionStoreOptions) throws -> [Int: String] {
        try writerConnection.withLock { connection in
            try connection.transaction {
                if options.durability == .off { try connection.execute("SET LOCAL synchronous_commit = off") }
                var rejected: [Int: String] = [:]
                var tokens: [String: Int64] = [:]
                for (index, queued) in writes.enumerated() {
                    guard let sessionID = queued.write.sessionID else { continue }
                    guard let token = queued.token else {
                        rejected[index] = "this host holds no lease on session '\(sessionID)'"
                        continue
                    }
                    tokens[sessionID] = max(tokens[sessionID] ?? token, token)
                }
                let ids = Array(tokens.keys)
                var current: [String: Int64] = [:]
                if !ids.isEmpty {
                    let rows = try connection.execute("""
                        SELECT l.session_id, l.token FROM session_leases l
                        JOIN unnest($1::text[], $2::bigint[]) AS h(session_id, token)
                            ON l.session_id = h.session_id AND l.token = h.token
                        WHERE l.owner = $3
                        FOR SHARE OF l
                        """, [PostgresArray.text(ids), PostgresArray.text(ids.map { String(tokens[$0]!) }), leases.hostID])
                    for row in rows { if let id = row[0], let token = row[1].flatMap({ Int64($0) }) { current[id] = token } }
                }
                for (index, queued) in writes.enumerated() where rejected[index] == nil {
                    guard let sessionID = queued.write.sessionID else { continue }
                    guard let token = queued.token, current[sessionID] == token else {
                        rejected[index] = "the lease on session '\(sessionID)' was lost (expired or taken over by another host); this host's write was refused"
                        continue
                    }
                    try apply(queued.write, options: options, to: connection)
                }
                return rejected
            }
        }
    }

    private func apply(_ write: StoreWrite, options: SessionStoreOptions, to connection: PostgresConnection) throws {
        switch write {
        case .session(let session):
            try connection.execute("""
                INSERT INTO sessions(session_id, agent_id, session_type, trust_tier, trace_id, config, seed_ref,
                    signal_topic, turn_count, message_sequence, working_memory, goals, cognitive_mode, summary,
                    window_start, stopped, updated_at)
                VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, false, clock_timestamp())
                ON CONFLICT(session_id) DO UPDATE SET agent_id=$2, session_type=$3, trust_tier=$4, trace_id=$5,
                    config=$6, seed_ref=$7, signal_topic=$8, turn_count=$9, message_sequence=$10,
                    working_memory=$11, goals=$12, cognitive_mode=$13, summary=$14, window_start=$15, stopped=false,
                    updated_at=clock_timestamp()
                """, [
                    session.sessionID, session.agentID, session.sessionType, session.trustTier, session.traceID,
                    session.config.jsonText, session.seedRef, session.signalTopic, String(session.turnCount),
                    String(session.messageSequence), session.workingMemory.jsonText,
                    ContextValue.list(session.goals).jsonText, session.cognitiveMode, session.summary?.jsonText,
                    String(session.windowStart),
                ])
            try connection.execute("DELETE FROM messages WHERE session_id=$1", [session.sessionID])
            try insertMessages(session.messages.map(MessageRow.init), sessionID: session.sessionID,
                               first: session.messageSequence - session.messages.count, into: connection)
        case .turn(let turn):
            try insertMessages(turn.messageRows(), sessionID: turn.sessionID, first: turn.firstSequence, into: connection)
            let sequence = turn.firstSequence + turn.messageCount
            try connection.execute("""
                INSERT INTO journal(session_id, turn, input, reply, latency_us, node_timings, recorded_at)
                VALUES($1, $2, $3, $4, $5, $6, clock_timestamp())
                ON CONFLICT(session_id, turn) DO UPDATE SET input=$3, reply=$4, latency_us=$5, node_timings=$6,
                    recorded_at=clock_timestamp()
                """, [turn.sessionID, String(turn.turn), turn.input, turn.reply, String(turn.latencyMicroseconds),
                      turn.nodeTimingsJSON])
            try connection.execute(
                "UPDATE sessions SET turn_count=$2, message_sequence=$3, updated_at=clock_timestamp() WHERE session_id=$1",
                [turn.sessionID, String(turn.turn), String(sequence)])
            if let memory = turn.workingMemory {
                try connection.execute("UPDATE sessions SET working_memory=$2 WHERE session_id=$1", [turn.sessionID, memory.jsonText])
            }
            if let window = turn.window {
                try connection.execute("UPDATE sessions SET summary=$2, window_start=$3 WHERE session_id=$1",
                                       [turn.sessionID, window.summary?.jsonText, String(window.start)])
            }
            if let keep = options.maxMessagesPerSession {
                try connection.execute("DELETE FROM messages WHERE session_id=$1 AND seq < $2", [turn.sessionID, String(sequence - keep)])
            }
            if let keep = options.maxJournalEntriesPerSession {
                try connection.execute("DELETE FROM journal WHERE session_id=$1 AND turn <= $2", [turn.sessionID, String(turn.turn - keep)])
            }
        case .state(let sessionID, let goals, let mode):
            try connection.execute(
                "UPDATE sessions SET goals=$2, cognitive_mode=$3, updated_at=clock_timestamp() WHERE session_id=$1",
                [sessionID, ContextValue.list(goals).jsonText, mode])
        case .checkpoint(let sessionID, let snapshot):
            try connection.execute("""
                INSERT INTO checkpoints(session_id, snapshot, recorded_at) VALUES($1, $2, clock_timestamp())
                ON CONFLICT(session_id) DO UPDATE SET snapshot=$2, recorded_at=clock_timestamp()
                """, [sessionID, snapshot.jsonText])
        case .stop(let sessionID):
            try connection.execute("UPDATE sessions SET stopped=true, updated_at=clock_timestamp() WHERE session_id=$1", [sessionID])
        case .flush:
            break
        }
    }

    private func insertMessages(_ rows: [MessageRow], sessionID: String, first: Int, into connection: PostgresConnection) throws {
        for (offset, row) in rows.enumerated() {
            try connection.execute("""
                INSERT INTO messages(session_id, seq, role, content, message) VALUES($1, $2, $3, $4, $5)
                ON CONFLICT(session_id, seq) DO UPDATE SET role=$3, content=$4, message=$5
                """, [sessionID, String(first + offset), row.role, row.content, row.json])
        }
    }

    // MARK: Reading

    func loadSessions() throws -> SessionLoad {
        try readConnection.withLock { connection in
            var load = SessionLoad()
            for row in try connection.execute(
                "SELECT \(StoredSession.columns) FROM sessions WHERE NOT stopped ORDER BY updated_at, session_id") {
                do {
                    var session = try StoredSession.decoded(from: row)
                    session.messages = try messages(of: session, in: connection)
                    load.sessions.append(session)
                } catch let error as CorruptRow {
                    load.corrupt.append(CorruptSession(sessionID: row[0] ?? "", reason: error.description))
                }
            }
            return load
        }
    }

    func loadSession(_ sessionID: String) throws -> StoredSession? {
        try readConnection.withLock { connection in
            guard let row = try connection.execute(
                "SELECT \(StoredSession.columns) FROM sessions WHERE session_id = $1 AND NOT stopped", [sessionID]).first
            else { return nil }
            var session = try StoredSession.decoded(from: row)
            session.messages = try messages(of: session, in: connection)
            return session
        }
    }

    private func messages(of session: StoredSession, in connection: PostgresConnection) throws -> [ContextValue] {
        try connection.execute(
            "SELECT seq, message FROM messages WHERE session_id = $1 AND seq >= $2 ORDER BY seq",
            [session.sessionID, String(session.windowStart)]
        ).map { row in try StoredSession.decodedMessage(sequence: row[0].flatMap { Int($0) } ?? -1, row[1] ?? "") }
    }

    /// Every session not marked stopped, by id, with the host holding an unexpired lease on it.
    func sharedSessions() throws -> [SharedSession] {
        try readConnection.withLock { connection in
            try connection.execute("""
                SELECT s.session_id, s.agent_id, s.session_type, s.turn_count,
                    CASE WHEN l.expires_at > clock_timestamp() THEN l.owner END
                FROM sessions s LEFT JOIN session_leases l ON l.session_id = s.session_id
                WHERE NOT s.stopped ORDER BY s.session_id
                """).map { row in
                SharedSession(sessionID: row[0] ?? "", agentID: row[1] ?? "", sessionType: row[2] ?? "",
                              turnCount: row[3].flatMap { Int($0) } ?? 0, owner: row[4])
            }
        }
    }

    func journal(sessionID: String) throws -> [JournalEntry] {
        try readConnection.withLock { connection in
            try connection.execute(
                "SELECT turn, input, reply, latency_us, node_timings FROM journal WHERE session_id = $1 ORDER BY turn", [sessionID]
            ).map { row in
                JournalEntry(turn: row[0].flatMap { Int($0) } ?? 0, input: row[1] ?? "", reply: row[2] ?? "",
                             latencyMicroseconds: row[3].flatMap { Int($0) } ?? 0, nodeTimingsJSON: row[4] ?? "[]")
            }
        }
    }

    func lastCheckpoint(sessionID: String) throws -> ContextValue? {
        try readConnection.withLock { connection in
            try connection.execute("SELECT snapshot FROM checkpoints WHERE session_id = $1", [sessionID])
                .first?[0].map { try ContextValue(jsonText: $0) }
        }
    }
}
