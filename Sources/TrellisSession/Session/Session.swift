import TrellisEngine

/// A long-lived conversation: every `send` runs the turn graph once, and a heartbeat graph
/// runs between turns on the session's interval.
///
/// The actor owns the conversation state (messages, working memory, goals, cognitive mode).
/// It is never held across a run: the engine runs while the actor is free, so reading state,
/// queueing messages and applying heartbeats never wait for a turn. Fields that must be read
/// without awaiting the actor at all (phase, turn count, heartbeat in flight) live in `status`.
public actor Session {
    /// The session id.
    public nonisolated let id: String
    /// The owning agent.
    public nonisolated let agentID: String
    /// The trust tier.
    public nonisolated let trustTier: String
    /// The session type.
    public nonisolated let sessionType: SessionType
    /// The trace id carried by every event.
    public nonisolated let traceID: String
    /// Settings seeded as `session.config`.
    public nonisolated let config: [String: ContextValue]
    /// The identity reference.
    public nonisolated let seedRef: String?
    /// The topic events are published on.
    public nonisolated let signalTopic: String
    /// What a message arriving during a turn does.
    public nonisolated let turnPolicy: TurnPolicy
    /// Heartbeat settings.
    public nonisolated let heartbeat: HeartbeatSettings
    /// Phase, turn count and heartbeat flag, readable without awaiting the actor.
    public nonisolated let status: SessionStatus
    /// The graphs runs use (shared with the manager, which swaps them on reload).
    public nonisolated let graphs: SessionGraphs
    /// The adapters.
    public nonisolated let adapters: SessionAdapters
    /// Where events go.
    public nonisolated let events: SessionEventBus
    /// The durable store, if any.
    public nonisolated let store: SessionStore?

    let engine = Engine()
    /// What every session run is given: the same for all sessions, so held once rather than
    /// in each of them (a session's size is what benchmark 9 measures).
    static let runServices = RunServices(workingDirectory: "/")
    /// The adapters the next run uses, wrapped for phase tracking; replaced (between runs
    /// only) when plugin adapters follow a reload (`Session+Adapters.swift`).
    var turnAdapters: AdapterSet
    /// The adapters behind `turnAdapters`, with their plugin generation.
    var currentAdapters: SessionAdapters {
        get { followedAdapters?.value ?? adapters }
        set { followedAdapters = FollowedAdapters(value: newValue) }
    }
    /// The adapters once a reload has replaced the ones the session began with; boxed, so
    /// that a session that never follows a reload (most) does not hold a second copy inline.
    private var followedAdapters: FollowedAdapters?
    let window: MessageWindow

    /// The conversation, oldest first; a summary message comes first when the window was trimmed
    /// with `summarize`. Kept compact (`MessageList`) and handed to every run as it is.
    var conversation: MessageList
    /// The conversation as `{role, content, ...}` maps (built on each read: O(count)).
    public var messages: [ContextValue] { Array(conversation) }
    /// Working memory (a map).
    public internal(set) var workingMemory: ContextValue
    /// Goals, each a map with an `id`.
    public internal(set) var goals: [ContextValue]
    /// The cognitive mode (set by heartbeats).
    public internal(set) var cognitiveMode: String

    var hasSummary: Bool
    var messageSequence: Int
    var turnRunning = false
    var waiting: [CheckedContinuation<Void, Never>] = []
    var runningTurn: Task<RunResult, Never>?
    /// A stop was admitted: messages admitted after it fail as stopped.
    var stopPending = false
    /// Waiting for the turn queue to empty (a stop admitted behind queued messages).
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// A message with the `interrupt` policy arrived while the running turn had not yet
    /// registered its run; the run is cancelled as soon as it does.
    var interruptPending = false
    var nextTicket: UInt64 = 0
    var ticketWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var stopped = false
    /// When this session last gave its thread up on purpose (see `send`).
    var lastYield = ContinuousClock.now
    /// How long a session sending back to back may keep its pool thread before it yields.
    /// A yield costs 20-40 µs on the 2-core VM (a thread hand-off): at 200 µs it was a sixth of
    /// a turn's average and most of its p99 (`docs/benchmarks.md`); at 1 ms it is a few
    /// percent, and a task behind N busy sessions waits about N ms / cores at worst.
    static let fairnessSlice = Duration.milliseconds(1)

    /// Creates a session. Throws `SessionError.configuration` naming every adapter the graphs
    /// need and `adapters` lack.
    public init(
        configuration: SessionConfiguration, graphs: SessionGraphs, adapters: SessionAdapters,
        heartbeat: HeartbeatSettings? = nil, events: SessionEventBus = SessionEventBus(), store: SessionStore? = nil,
        restoring stored: StoredSession? = nil
    ) throws(SessionError) {
        let generation = graphs.current
        var problems = adapters.missing(for: generation.turn, graphName: "turn")
        if let heartbeatGraph = generation.heartbeat {
            problems += adapters.missing(for: heartbeatGraph, graphName: "heartbeat")
        }
        guard problems.isEmpty else {
            throw SessionError.configuration("session '\(configuration.sessionID)' cannot start: " + problems.joined(separator: "; "))
        }
        id = configuration.sessionID
        agentID = configuration.agentID
        trustTier = configuration.trustTier
        sessionType = configuration.sessionType
        traceID = configuration.traceID
        config = configuration.config
        seedRef = configuration.seedRef
        signalTopic = configuration.signalTopic
        turnPolicy = configuration.turnPolicy
        self.heartbeat = heartbeat ?? configuration.heartbeat ?? .defaults(for: configuration.sessionType)
        self.graphs = graphs
        self.adapters = adapters
        self.events = events
        self.store = store
        window = MessageWindow(maxMessages: configuration.maxMessages, summarize: configuration.summarize)
        let topic = configuration.signalTopic
        let sessionID = configuration.sessionID
        let trace = configuration.traceID
        status = SessionStatus(turnCount: stored?.turnCount ?? 0) { [events] phase in
            events.publish(SessionEvent(kind: .phaseChanged, topic: topic, sessionID: sessionID, traceID: trace,
                                        fields: ["phase": .string(phase.rawValue)]))
        }
        turnAdapters = Self.wrap(adapters.set, status: status, events: events, topic: topic, sessionID: sessionID, traceID: trace)
        if let stored {
            hasSummary = stored.summary != nil
            conversation = MessageList((stored.summary.map { [$0] } ?? []) + stored.messages)
            messageSequence = stored.messageSequence
            workingMemory = stored.workingMemory
            goals = stored.goals
            cognitiveMode = stored.cognitiveMode
        } else {
            hasSummary = false
            conversation = MessageList()
            messageSequence = 0
            workingMemory = .map([:])
            goals = []
            cognitiveMode = "reflection"
        }
    }

    /// The current phase, without awaiting the actor.
    public nonisolated var phase: SessionPhase { status.phase }

    /// Turns completed, without awaiting the actor.
    public nonisolated var turnCount: Int { status.snapshot.turnCount }

    /// Every field of the session. Never waits for a running turn (the actor is free while runs are in flight).
    public func state() -> SessionState {
        let snapshot = status.snapshot
        let generation = graphs.current
        func describe(_ graph: CompiledGraph?, path: String?) -> ContextValue {
            guard let graph else { return .null }
            return .map(["name": .string(graph.name), "file": path.map { .string($0) } ?? .string("<embedded>"),
                         "generation": .integer(Int(generation.number)),
                         "registry_generation": .integer(Int(graph.registryGeneration))])
        }
        var state = SessionState(
            sessionID: id, agentID: agentID, trustTier: trustTier,
            turnGraph: describe(generation.turn, path: generation.turnPath),
            heartbeatGraph: describe(generation.heartbeat, path: generation.heartbeatPath),
            phase: snapshot.phase, sessionType: sessionType, traceID: traceID, config: config, seedRef: seedRef,
            signalTopic: signalTopic, turnCount: snapshot.turnCount, messages: messages, workingMemory: workingMemory,
            goals: goals, cognitiveMode: cognitiveMode,
            adapters: Dictionary(uniqueKeysWithValues: currentAdapters.names.map { ($0.key.rawValue, $0.value) }),
            heartbeatIntervalMilliseconds: heartbeat.enabled ? heartbeat.interval.wholeMicroseconds / 1000 : 0,
            heartbeatInFlight: snapshot.heartbeatInFlight, turnPolicy: turnPolicy)
        state.usage = snapshot.usage
        state.adapterPluginGeneration = currentAdapters.pluginGeneration
        return state
    }

    /// Sets the goals (each a map with an `id`); heartbeats read them.
    public func setGoals(_ newGoals: [ContextValue]) { goals = newGoals }

    /// Stops the session: queued and later messages fail with `SessionError.stopped`, the running turn finishes.
    /// Stops the session once every message admitted before `ticket` (see `admit()`) has had
    /// its turn; messages admitted after it fail as stopped. This keeps arrival order across a
    /// pipelined `session.stop`.
    public func stop(afterTicket ticket: UInt64) async {
        await waitForTicket(ticket)
        guard !stopped else { return }
        stopPending = true
        if turnRunning { await withCheckedContinuation { idleWaiters.append($0) } }
        stop()
    }

    public func stop() {
        stopped = true
        status.update { $0.stopped = true }
        let parked = waiting
        waiting.removeAll()
        for waiter in parked { waiter.resume() }
        events.publish(event(.sessionStopped))
    }

    /// Whether the session was stopped, without awaiting the actor.
    public nonisolated var isStopped: Bool { status.snapshot.stopped }

    func event(_ kind: SessionEvent.Kind, _ fields: [String: ContextValue] = [:]) -> SessionEvent {
        SessionEvent(kind: kind, topic: signalTopic, sessionID: id, traceID: traceID, fields: fields)
    }

    /// The `session.*` values every run starts with. The messages value shares the session's buffer.
    func seed(runKind: String, phase: SessionPhase) -> Context {
        Context(Self.seedKeys, values: [
            .string(id), .string(agentID), .string(trustTier), .messages(conversation), workingMemory, .list(goals),
            .string(cognitiveMode), .integer(status.snapshot.turnCount), .string(sessionType.rawValue),
            .string(phase.rawValue), .string(traceID), .map(config), .string(signalTopic), .string(runKind),
        ])
    }

    /// The keys of `seed`, in its order, with room for what a run adds.
    private static let seedKeys = ContextTemplate([
        SessionKeys.sessionID, SessionKeys.agentID, SessionKeys.trustTier, SessionKeys.messages, SessionKeys.workingMemory,
        SessionKeys.goals, SessionKeys.cognitiveMode, SessionKeys.turnCount, SessionKeys.sessionType, SessionKeys.phase,
        SessionKeys.traceID, SessionKeys.config, SessionKeys.signalTopic, SessionKeys.runKind,
    ], capacity: Context.runCapacity)
}

/// The adapters a session follows after a reload (see `Session.currentAdapters`).
private final class FollowedAdapters: Sendable {
    let value: SessionAdapters
    init(value: SessionAdapters) { self.value = value }
}
