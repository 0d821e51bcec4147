import TrellisEngine

/// What reading the store's sessions found: the sessions that load, and the ones whose
/// rows are damaged, each with what is wrong — so one bad row refuses one session, not all.
public struct SessionLoad: Sendable {
    /// Sessions that load, oldest first.
    public var sessions: [StoredSession]
    /// Session ids whose stored rows are corrupt, with what is wrong with each.
    public var corrupt: [CorruptSession]

    /// Creates a result.
    public init(sessions: [StoredSession] = [], corrupt: [CorruptSession] = []) {
        self.sessions = sessions
        self.corrupt = corrupt
    }
}

/// A stored session that cannot be loaded: its id and what is wrong with its rows.
public struct CorruptSession: Sendable, Equatable {
    /// The session id.
    public var sessionID: String
    /// What is wrong (column and problem).
    public var reason: String

    /// Creates a record.
    public init(sessionID: String, reason: String) {
        self.sessionID = sessionID
        self.reason = reason
    }
}

/// A reason a stored row does not make a session.
struct CorruptRow: Error, CustomStringConvertible {
    var description: String
}

extension StoredSession {
    /// The columns both backends select for a session, in the order `decoded(from:)` reads.
    static let columns = """
        session_id, agent_id, session_type, trust_tier, trace_id, config, seed_ref, signal_topic,
        turn_count, message_sequence, working_memory, goals, cognitive_mode, summary, window_start
        """

    /// A session from the text of its `columns` (NULL as `nil`), checking what the schema
    /// cannot: integers that are integers, JSON that parses into the shapes a session needs,
    /// counters not negative, the window inside the sequence, a known session type.
    static func decoded(from values: [String?]) throws(CorruptRow) -> StoredSession {
        func text(_ index: Int, _ column: String) throws(CorruptRow) -> String {
            guard let value = values[index] else { throw CorruptRow(description: "\(column) is NULL") }
            return value
        }
        func integer(_ index: Int, _ column: String) throws(CorruptRow) -> Int {
            guard let value = Int(try text(index, column)) else { throw CorruptRow(description: "\(column) is not an integer") }
            return value
        }
        func json(_ index: Int, _ column: String) throws(CorruptRow) -> ContextValue {
            do { return try ContextValue(jsonText: try text(index, column)) } catch {
                throw CorruptRow(description: "\(column) is not valid JSON: \(error)")
            }
        }
        guard case .list(let goals) = try json(11, "goals") else { throw CorruptRow(description: "goals is not a JSON array") }
        let session = StoredSession(
            sessionID: try text(0, "session_id"), agentID: try text(1, "agent_id"), sessionType: try text(2, "session_type"),
            trustTier: try text(3, "trust_tier"), traceID: try text(4, "trace_id"), config: try json(5, "config"),
            seedRef: values[6], signalTopic: try text(7, "signal_topic"), turnCount: try integer(8, "turn_count"), messages: [],
            messageSequence: try integer(9, "message_sequence"), workingMemory: try json(10, "working_memory"), goals: goals,
            cognitiveMode: try text(12, "cognitive_mode"), summary: values[13] == nil ? nil : try json(13, "summary"),
            windowStart: try integer(14, "window_start"))
        guard SessionType(rawValue: session.sessionType) != nil else {
            throw CorruptRow(description: "session_type '\(session.sessionType)' is not a session type")
        }
        guard session.turnCount >= 0 else { throw CorruptRow(description: "turn_count \(session.turnCount) is negative") }
        guard session.messageSequence >= 0 else { throw CorruptRow(description: "message_sequence \(session.messageSequence) is negative") }
        guard session.windowStart >= 0, session.windowStart <= session.messageSequence else {
            throw CorruptRow(description: "window_start \(session.windowStart) is outside 0...message_sequence (\(session.messageSequence))")
        }
        guard case .map = session.config else { throw CorruptRow(description: "config is not a JSON object") }
        guard case .map = session.workingMemory else { throw CorruptRow(description: "working_memory is not a JSON object") }
        return session
    }

    /// A stored message from its text, or why it is not one.
    static func decodedMessage(sequence: Int, _ text: String) throws(CorruptRow) -> ContextValue {
        do { return try ContextValue(jsonText: text) } catch {
            throw CorruptRow(description: "message \(sequence) is not valid JSON: \(error)")
        }
    }
}
