import TrellisEngine

/// A reading of every session field (the reference session's fields, by their snake_case
/// names in `contextValue`).
public struct SessionState: Sendable {
    /// The session id.
    public var sessionID: String
    /// The owning agent.
    public var agentID: String
    /// The trust tier.
    public var trustTier: String
    /// The turn graph: name, file and generation.
    public var turnGraph: ContextValue
    /// The heartbeat graph: name, file and generation (null when none).
    public var heartbeatGraph: ContextValue
    /// The phase.
    public var phase: SessionPhase
    /// The session type.
    public var sessionType: SessionType
    /// The trace id.
    public var traceID: String
    /// Settings.
    public var config: [String: ContextValue]
    /// The identity reference.
    public var seedRef: String?
    /// The signal topic.
    public var signalTopic: String
    /// Turns completed.
    public var turnCount: Int
    /// The message window, oldest first.
    public var messages: [ContextValue]
    /// Working memory.
    public var workingMemory: ContextValue
    /// Goals.
    public var goals: [ContextValue]
    /// The cognitive mode.
    public var cognitiveMode: String
    /// Adapter names by kind.
    public var adapters: [String: String]
    /// The heartbeat interval in milliseconds (0 when heartbeats are off).
    public var heartbeatIntervalMilliseconds: Int
    /// Whether a heartbeat is running.
    public var heartbeatInFlight: Bool
    /// The turn policy.
    public var turnPolicy: TurnPolicy
    /// Tokens the session's turns used since it was created or restored (not persisted).
    public var usage = LLMUsage()
    /// The plugin generation the session's plugin adapters come from; `nil` when none comes
    /// from a plugin. It follows plugin reloads at turn boundaries.
    public var adapterPluginGeneration: UInt64?

    /// Every field under its snake_case name; messages as `{role, content}` maps.
    public var contextValue: ContextValue {
        .map([
            "session_id": .string(sessionID), "agent_id": .string(agentID), "trust_tier": .string(trustTier),
            "turn_graph": turnGraph, "heartbeat_graph": heartbeatGraph, "phase": .string(phase.rawValue),
            "session_type": .string(sessionType.rawValue), "trace_id": .string(traceID), "config": .map(config),
            "seed_ref": seedRef.map { .string($0) } ?? .null, "signal_topic": .string(signalTopic),
            "turn_count": .integer(turnCount),
            "messages": .list(messages.map { message in
                guard case .map(let fields) = message else { return .map(["role": .string(""), "content": message]) }
                return .map(["role": fields["role"] ?? .string(""), "content": fields["content"] ?? .string("")])
            }),
            "working_memory": workingMemory, "goals": .list(goals), "cognitive_mode": .string(cognitiveMode),
            "adapters": .map(adapters.mapValues { .string($0) }),
            "heartbeat_interval": .integer(heartbeatIntervalMilliseconds),
            "heartbeat_in_flight": .boolean(heartbeatInFlight), "turn_policy": .string(turnPolicy.rawValue),
            "usage": usage.contextValue,
            "adapter_plugin_generation": adapterPluginGeneration.map { .integer(Int($0)) } ?? .null,
        ])
    }
}
