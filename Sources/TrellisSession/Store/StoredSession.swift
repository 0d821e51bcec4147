import TrellisCore
import TrellisEngine

/// A session as the store keeps it: its identity and settings, its latest state, and
/// the messages of its current window.
public struct StoredSession: Sendable, Equatable {
    /// The session id.
    public var sessionID: String
    /// The owning agent.
    public var agentID: String
    /// The session type name (`primary`, ...).
    public var sessionType: String
    /// The trust tier.
    public var trustTier: String
    /// The trace id.
    public var traceID: String
    /// Session settings, as a map.
    public var config: ContextValue
    /// The agent identity reference, if any.
    public var seedRef: String?
    /// The signal topic.
    public var signalTopic: String
    /// Turns completed.
    public var turnCount: Int
    /// The messages of the window, oldest first (the summary of trimmed messages is `summary`, not one of these).
    public var messages: [ContextValue]
    /// The number of messages ever appended (the sequence number of the next one).
    public var messageSequence: Int
    /// Working memory.
    public var workingMemory: ContextValue
    /// Goals (maps with an `id`).
    public var goals: [ContextValue]
    /// The cognitive mode.
    public var cognitiveMode: String
    /// A summary of messages trimmed from the window, or `nil`.
    public var summary: ContextValue?
    /// The sequence number of the first message of the window.
    public var windowStart: Int

    /// Creates a record.
    public init(
        sessionID: String, agentID: String, sessionType: String, trustTier: String, traceID: String,
        config: ContextValue, seedRef: String?, signalTopic: String, turnCount: Int, messages: [ContextValue],
        messageSequence: Int, workingMemory: ContextValue, goals: [ContextValue], cognitiveMode: String,
        summary: ContextValue?, windowStart: Int
    ) {
        self.sessionID = sessionID
        self.agentID = agentID
        self.sessionType = sessionType
        self.trustTier = trustTier
        self.traceID = traceID
        self.config = config
        self.seedRef = seedRef
        self.signalTopic = signalTopic
        self.turnCount = turnCount
        self.messages = messages
        self.messageSequence = messageSequence
        self.workingMemory = workingMemory
        self.goals = goals
        self.cognitiveMode = cognitiveMode
        self.summary = summary
        self.windowStart = windowStart
    }
}

/// What one turn changed, as the store records it.
public struct TurnRecord: Sendable {
    /// The session.
    public var sessionID: String
    /// The turn number (the turn count after the turn).
    public var turn: Int
    /// The input message: the first message the turn appended, `{role: user, content: input}`.
    public var input: String
    /// The reply: the last message the turn appended, `{role: assistant, content: reply}`.
    public var reply: String
    /// The messages the turn's graph added between the input and the reply (tool calls and
    /// their results), oldest first; usually none.
    ///
    /// The record keeps the input and the reply as text, not as maps in a list: a turn that
    /// built those two maps only for the store's writer to take apart again on its thread lost a
    /// tenth of its throughput with a store that wrote nothing (see `docs/benchmarks.md`).
    public var addedMessages: [ContextValue]
    /// The sequence number of the first of `messages`.
    public var firstSequence: Int
    /// Working memory after the turn, when the turn changed it.
    public var workingMemory: ContextValue?
    /// The summary and window start, when the turn trimmed the window.
    public var window: (summary: ContextValue?, start: Int)?
    /// How long the turn took, in microseconds.
    public var latencyMicroseconds: Int
    /// Per-node timings (stored as `nodeTimingsJSON`).
    public var nodeTimings: [NodeTiming]

    /// Creates a record.
    public init(
        sessionID: String, turn: Int, input: String, reply: String, addedMessages: [ContextValue], firstSequence: Int,
        workingMemory: ContextValue?, window: (summary: ContextValue?, start: Int)?, latencyMicroseconds: Int,
        nodeTimings: [NodeTiming]
    ) {
        self.sessionID = sessionID
        self.turn = turn
        self.input = input
        self.reply = reply
        self.addedMessages = addedMessages
        self.firstSequence = firstSequence
        self.workingMemory = workingMemory
        self.window = window
        self.latencyMicroseconds = latencyMicroseconds
        self.nodeTimings = nodeTimings
    }

    /// Every message the turn appended, oldest first, as maps: the input's, `addedMessages`, the
    /// reply's. Made on each access; the store writes `messageRows()`.
    public var messages: [ContextValue] {
        [.map(["role": .string("user"), "content": .string(input)])] + addedMessages
            + [.map(["role": .string("assistant"), "content": .string(reply)])]
    }

    /// The number of messages the turn appended.
    public var messageCount: Int { addedMessages.count + 2 }

    /// The rows of `messages`, in order, the input's and the reply's made without their maps.
    func messageRows() -> [MessageRow] {
        var rows: [MessageRow] = []
        rows.reserveCapacity(messageCount)
        rows.append(MessageRow(role: "user", content: input))
        for message in addedMessages { rows.append(MessageRow(message)) }
        rows.append(MessageRow(role: "assistant", content: reply))
        return rows
    }

    /// The timings as the journal stores them: a JSON list of `{node, status, us}` objects,
    /// keys in sorted order as `ContextValue` writes maps. Written directly: a map per node,
    /// built and then sorted to be encoded, was most of the store's work on a turn.
    public var nodeTimingsJSON: String {
        var buffer = JSONBuffer(capacity: nodeTimings.count * 56 + 2)  // about one object's length each
        buffer.append(UInt8(ascii: "["))
        for (index, timing) in nodeTimings.enumerated() {
            buffer.append(index == 0 ? "{\"node\":" : ",{\"node\":")
            buffer.appendQuoted(timing.nodeID)
            buffer.append(",\"status\":")
            buffer.appendQuoted(timing.status.rawValue)
            buffer.append(",\"us\":")
            buffer.append(integer: timing.duration.wholeMicroseconds)
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: "]"))
        return buffer.text
    }
}

/// One journal row: a turn as it was recorded.
public struct JournalEntry: Sendable, Equatable {
    /// The turn number.
    public var turn: Int
    /// The input message.
    public var input: String
    /// The reply.
    public var reply: String
    /// The turn's latency in microseconds.
    public var latencyMicroseconds: Int
    /// Per-node timings as JSON text.
    public var nodeTimingsJSON: String
}
