import TrellisEngine

/// How a `SessionManager` finds its graphs, schedules heartbeats and stores sessions.
public struct SessionManagerOptions: Sendable {
    /// The turn graph file; `nil` takes `Graphs/session/turn.dot` when it exists, else the embedded default.
    public var turnGraphPath: String?
    /// The heartbeat graph file; `nil` takes `Graphs/session/heartbeat.dot` when it exists, else the embedded default.
    public var heartbeatGraphPath: String?
    /// Whether graph files are watched and reloaded when they change (default true).
    public var watchGraphs: Bool
    /// How often watched files are checked when inotify cannot watch their directories
    /// (default 250 ms; a check is two `stat` calls). With inotify a change is seen at once.
    public var watchInterval: Duration
    /// Heartbeat settings per session type.
    public var heartbeats: HeartbeatPolicy
    /// The durable store, or `nil` to keep sessions in memory only.
    public var store: SessionStore?
    /// The built-in simulated LLM's latency (its memory recall takes a tenth of it).
    public var llmLatency: Duration
    /// The shortest heartbeat interval a session's config may ask for (default 100 ms).
    public var minimumHeartbeatInterval: Duration = .milliseconds(100)
    /// The longest simulated-LLM latency a session's config may ask for (default 60 s).
    public var maximumSimulatedLatency: Duration = .seconds(60)
    /// Config settings every new session starts with (`system_prompt`, `max_tool_rounds`,
    /// `turn_policy`, ...); a key the session's own config sets wins.
    public var sessionDefaults: [String: ContextValue]

    /// Creates options.
    public init(
        turnGraphPath: String? = nil, heartbeatGraphPath: String? = nil, watchGraphs: Bool = true,
        watchInterval: Duration = .milliseconds(250), heartbeats: HeartbeatPolicy = HeartbeatPolicy(),
        store: SessionStore? = nil, llmLatency: Duration = .zero, sessionDefaults: [String: ContextValue] = [:]
    ) {
        self.sessionDefaults = sessionDefaults
        self.turnGraphPath = turnGraphPath
        self.heartbeatGraphPath = heartbeatGraphPath
        self.watchGraphs = watchGraphs
        self.watchInterval = watchInterval
        self.heartbeats = heartbeats
        self.store = store
        self.llmLatency = llmLatency
    }
}
