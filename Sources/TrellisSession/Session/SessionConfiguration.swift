import TrellisEngine

/// Everything that identifies and configures a session when it is created.
public struct SessionConfiguration: Sendable {
    /// The session id (a fresh UUID when not given).
    public var sessionID: String
    /// The owning agent.
    public var agentID: String
    /// What the session is for.
    public var sessionType: SessionType
    /// The security tier (free text; `standard` by default).
    public var trustTier: String
    /// The trace id carried by every event (a fresh one when not given).
    public var traceID: String
    /// Free-form settings seeded into runs as `session.config` (a map).
    public var config: [String: ContextValue]
    /// The agent identity reference, if any.
    public var seedRef: String?
    /// The topic events are published on (`session.<id>` when not given).
    public var signalTopic: String
    /// What a message arriving during a turn does.
    public var turnPolicy: TurnPolicy
    /// The most messages kept in the window (`nil`: unbounded). Older ones are dropped,
    /// or folded into a summary message when `summarize` is true.
    public var maxMessages: Int?
    /// Whether messages trimmed from the window are summarised.
    public var summarize: Bool
    /// Heartbeat settings; `nil` takes the manager's policy for the session type.
    public var heartbeat: HeartbeatSettings?

    /// Creates a configuration. Settings also readable from `config` (see `SessionConfiguration.init(config:)`).
    public init(
        sessionID: String? = nil, agentID: String = "agent", sessionType: SessionType = .primary,
        trustTier: String = "standard", traceID: String? = nil, config: [String: ContextValue] = [:],
        seedRef: String? = nil, signalTopic: String? = nil, turnPolicy: TurnPolicy = .enqueue,
        maxMessages: Int? = nil, summarize: Bool = false, heartbeat: HeartbeatSettings? = nil
    ) {
        let id = sessionID ?? Self.randomHex(dashed: true)
        self.sessionID = id
        self.agentID = agentID
        self.sessionType = sessionType
        self.trustTier = trustTier
        self.traceID = traceID ?? Self.newTraceID()
        self.config = config
        self.seedRef = seedRef
        self.signalTopic = signalTopic ?? "session.\(id)"
        self.turnPolicy = turnPolicy
        self.maxMessages = maxMessages
        self.summarize = summarize
        self.heartbeat = heartbeat
    }

    /// A 32-hex-digit trace id.
    public static func newTraceID() -> String { randomHex(dashed: false) }

    /// A random (version 4) UUID in lowercase hex, with the usual dashes (a session id) or
    /// without (a trace id). Written straight into one allocation: going through Foundation's
    /// `UUID().uuidString` made three temporary strings per session, and on a host creating
    /// sessions by the thousand their freed blocks stayed in the heap.
    static func randomHex(dashed: Bool) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
            let hex = ("0123456789abcdef" as StaticString).utf8Start  // static storage: no allocation
            return String(unsafeUninitializedCapacity: dashed ? 36 : 32) { out in
                var position = 0
                for index in 0..<16 {
                    if dashed, index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = hex[Int(raw[index] >> 4)]
                    out[position + 1] = hex[Int(raw[index] & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Applies the settings a `config` map may carry: `turn_policy`, `max_messages`,
    /// `summarize`, `heartbeat_interval_ms`, `heartbeat` (bool), `trust_tier`, `seed_ref`,
    /// `signal_topic`, `trace_id`, `llm_latency_ms`. Unknown keys stay in `config` for graphs.
    public mutating func applySettings(from config: [String: ContextValue]) throws(SessionError) {
        self.config.merge(config) { _, new in new }
        if let policy = config["turn_policy"]?.stringValue {
            guard let value = TurnPolicy(rawValue: policy) else {
                throw .invalidArgument("unknown turn_policy '\(policy)'; use enqueue, reject or interrupt")
            }
            turnPolicy = value
        }
        if let value = config["max_messages"] {
            guard case .integer(let count) = value, count >= 2 else {
                throw .invalidArgument("max_messages must be an integer of at least 2, not \(value.jsonText)")
            }
            maxMessages = count
        }
        if case .boolean(let flag) = config["summarize"] { summarize = flag }
        if let tier = config["trust_tier"]?.stringValue { trustTier = tier }
        if let seed = config["seed_ref"]?.stringValue { seedRef = seed }
        if let topic = config["signal_topic"]?.stringValue { signalTopic = topic }
        if let trace = config["trace_id"]?.stringValue { traceID = trace }
        var heartbeatSettings = heartbeat ?? HeartbeatPolicy()[sessionType]
        var changed = false
        if let value = config["heartbeat_interval_ms"] {
            guard case .integer(let milliseconds) = value, milliseconds > 0 else {
                throw .invalidArgument("heartbeat_interval_ms must be a positive integer, not \(value.jsonText)")
            }
            heartbeatSettings.interval = .milliseconds(milliseconds)
            changed = true
        }
        if case .boolean(let flag) = config["heartbeat"] {
            heartbeatSettings.enabled = flag
            changed = true
        }
        if changed { heartbeat = heartbeatSettings }
    }
}
