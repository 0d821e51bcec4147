import TrellisEngine

/// Every kind of event the sessions, the session manager and the host publish, in one place.
/// Session events go to the session's signal topic; manager and host events to
/// `SessionManager.topic`.
extension SessionEvent.Kind {
    // A session's turns (fields as listed; `node_timings` maps node id to microseconds).
    /// A turn began (fields: `turn`, `input`, `graph_generation`).
    public static let turnStarted: SessionEvent.Kind = "turn_started"
    /// A turn ended with a reply (fields: `turn`, `latency_us`, `node_timings`, `graph_generation`,
    /// `usage`: the tokens its model calls used).
    public static let turnCompleted: SessionEvent.Kind = "turn_completed"
    /// A turn's graph failed or was interrupted (fields: `turn`, `error`, `node_timings`).
    public static let turnFailed: SessionEvent.Kind = "turn_failed"
    /// The session's phase changed (fields: `phase`).
    public static let phaseChanged: SessionEvent.Kind = "phase_changed"
    /// A piece of the model's answer arrived while the turn runs (fields: `turn`, `text`).
    public static let llmDelta: SessionEvent.Kind = "llm_delta"

    // A session's heartbeats. A heartbeat due while one is in flight is not run and publishes nothing.
    /// A heartbeat began (fields: `heartbeat`).
    public static let heartbeatStarted: SessionEvent.Kind = "heartbeat_started"
    /// A heartbeat was applied (fields: `heartbeat`, `duration_us`, `node_timings`, `cognitive_mode`, `goals`).
    public static let heartbeatCompleted: SessionEvent.Kind = "heartbeat_completed"
    /// A heartbeat's graph failed; nothing changed (fields: `heartbeat`, `duration_us`, `node_timings`, `error`).
    public static let heartbeatFailed: SessionEvent.Kind = "heartbeat_failed"

    // A session's life.
    /// The manager created a session (fields: `session_type`).
    public static let sessionCreated: SessionEvent.Kind = "session_created"
    /// A session was stopped (no fields).
    public static let sessionStopped: SessionEvent.Kind = "session_stopped"

    // The manager and the host (topic `SessionManager.topic`).
    /// The session graphs were reloaded (fields: `generation`, `turn_graph`, `heartbeat_graph`).
    public static let graphReloaded: SessionEvent.Kind = "graph_reloaded"
    /// A graph reload failed; the previous generation stays (fields: `generation`, `error`).
    public static let graphReloadFailed: SessionEvent.Kind = "graph_reload_failed"
    /// A new plugin generation was put in use (fields: `generation`, `graphs_recompiled`, `reports`).
    public static let pluginsReloaded: SessionEvent.Kind = "plugins_reloaded"
    /// The session store failed to record a turn or a state change (fields: `error`, and `turn`
    /// for a turn; on the manager topic when the store's writer thread reports it).
    public static let storeFailed: SessionEvent.Kind = "store_failed"
}
