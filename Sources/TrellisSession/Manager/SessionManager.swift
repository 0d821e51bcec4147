import Foundation
import TrellisEngine

/// Creates, finds, lists and stops sessions; owns the graphs they run (reloaded when their
/// files change), the one heartbeat scheduler, the event bus and the store.
///
/// Lookups take one lock for a dictionary access, so thousands of sessions cost one entry
/// each here; nothing per session runs unless the session is working.
public final class SessionManager: Sendable {
    /// The graphs sessions run.
    public let graphs: SessionGraphs
    /// Where every session publishes its events (manager events use topic `trellis.manager`).
    public let events: SessionEventBus
    /// The shared heartbeat scheduler.
    public let scheduler: HeartbeatScheduler
    /// The durable store, if any.
    public let store: SessionStore?
    /// The options the manager was created with.
    public let options: SessionManagerOptions

    let sessions = LockedValue<[String: Session]>([:])
    /// Ids of sessions stopped by this manager, so a late message is told "stopped", not "unknown".
    let stoppedIDs = LockedValue<Set<String>>([])
    /// Sessions the store holds but could not load, with why: refused by id, never overwritten.
    let corruptIDs = LockedValue<[String: String]>([:])
    let registry: LockedValue<HandlerRegistry>
    let watchedFiles: LockedValue<[String: GraphFileSignature?]>
    let watcher = LockedValue<GraphFileWatcher?>(nil)
    /// Held from reading the graph files to publishing what they compile to, so that two
    /// reloads (the graph watcher's and a plugin reload's) cannot publish out of order.
    let reloading = LockedValue(())
    let adapterCatalog: AdapterCatalog

    /// The topic of manager events (reloads).
    public static let topic = "trellis.manager"

    /// Loads the graphs and starts watching them. Throws `SessionError.graph` with the
    /// rendered diagnostics when a graph does not load.
    public init(options: SessionManagerOptions = SessionManagerOptions(), events: SessionEventBus = SessionEventBus(),
                registry: HandlerRegistry = SessionHandlers.registry,
                adapterCatalog: AdapterCatalog = AdapterCatalog()) throws(SessionError) {
        self.options = options
        self.events = events
        self.store = options.store
        self.scheduler = HeartbeatScheduler()
        self.registry = LockedValue(registry)
        self.adapterCatalog = adapterCatalog
        let loaded = try Self.loadGraphs(options: options, registry: registry)
        graphs = SessionGraphs(SessionGraphs.Generation(
            number: 1, turn: loaded.turn, heartbeat: loaded.heartbeat, turnPath: loaded.turnPath,
            heartbeatPath: loaded.heartbeatPath, registry: registry))
        var watched: [String: GraphFileSignature?] = [:]
        for path in [loaded.turnPath, loaded.heartbeatPath].compactMap({ $0 }) { watched[path] = GraphFileSignature.of(path) }
        watchedFiles = LockedValue(watched)
        if options.watchGraphs && !watched.isEmpty { startWatching() }
        // A lease this host lost (expired while paused, taken over) means the session runs
        // elsewhere now: drop the local copy, heartbeats included.
        store?.leases?.onLost { [weak self] sessionID in self?.evict(sessionID) }
    }

    deinit { shutdown() }

    /// Stops the heartbeat scheduler and the file watcher (sessions stay usable for turns).
    public func shutdown() {
        scheduler.shutdown()
        watcher.withLock { watcher in
            watcher?.stop()
            watcher = nil
        }
    }

    // MARK: Sessions

    /// Creates a session (and persists it when a store is configured). Throws when the id is
    /// taken or the graphs need an adapter the session would lack.
    @discardableResult
    public func create(_ configuration: SessionConfiguration) async throws(SessionError) -> Session {
        var configuration = configuration
        let defaults = options.sessionDefaults.filter { configuration.config[$0.key] == nil }
        if !defaults.isEmpty { try configuration.applySettings(from: defaults) }
        if let reason = corruptIDs.withLock({ $0[configuration.sessionID] }) {
            throw SessionError.corrupt(Self.corruptMessage(configuration.sessionID, reason))
        }
        if let leases = store?.leases {
            // On a shared store the id must be free in the database, not only here.
            _ = try await leases.acquire(configuration.sessionID)
            let existing: StoredSession?
            do { existing = try await store?.loadSession(configuration.sessionID) } catch {
                await leases.release(configuration.sessionID)
                throw error
            }
            if existing != nil {
                await leases.release(configuration.sessionID)
                throw SessionError.alreadyExists("a session with id '\(configuration.sessionID)' already exists in the shared store; pick another id or omit it")
            }
        }
        let session = try makeSession(configuration, restoring: nil)
        let inserted = sessions.withLock { table in
            guard table[session.id] == nil else { return false }
            table[session.id] = session
            return true
        }
        guard inserted else {
            throw SessionError.alreadyExists("a session with id '\(session.id)' already exists; pick another id or omit it")
        }
        if let store {
            do {
                try await store.save(Self.record(of: configuration))
            } catch {
                _ = sessions.withLock { $0.removeValue(forKey: session.id) }
                throw error
            }
        }
        startHeartbeats(session)
        events.publish(SessionEvent(kind: .sessionCreated, topic: session.signalTopic, sessionID: session.id,
                                    traceID: session.traceID, fields: ["session_type": .string(session.sessionType.rawValue)]))
        return session
    }

    /// Restores every session the store holds (after a restart). Returns how many. Sessions
    /// whose rows are damaged are not restored; `corruptSessions` lists them, and a request
    /// naming one is refused with what is wrong. A shared store (with leases) restores
    /// nothing here: each session is taken over on its first request (`resolve`).
    @discardableResult
    public func restoreSessions() throws(SessionError) -> Int {
        guard let store, store.leases == nil else { return 0 }
        var restored = 0
        let load = try store.loadSessions()
        corruptIDs.withLock { table in
            for corrupt in load.corrupt { table[corrupt.sessionID] = "its row in the store is corrupt: \(corrupt.reason)" }
        }
        for stored in load.sessions {
            guard session(stored.sessionID) == nil else { continue }
            do {
                var configuration = SessionConfiguration(
                    sessionID: stored.sessionID, agentID: stored.agentID,
                    sessionType: try SessionType.named(stored.sessionType), trustTier: stored.trustTier,
                    traceID: stored.traceID, seedRef: stored.seedRef, signalTopic: stored.signalTopic)
                if case .map(let config) = stored.config { try configuration.applySettings(from: config) }
                let session = try makeSession(configuration, restoring: stored)
                sessions.withLock { $0[session.id] = session }
                startHeartbeats(session)
                restored += 1
            } catch {
                // A stored config this server refuses (a setting out of bounds) refuses that session only.
                corruptIDs.withLock { $0[stored.sessionID] = "its stored config is refused: \(error)" }
            }
        }
        return restored
    }

    private func makeSession(_ configuration: SessionConfiguration, restoring stored: StoredSession?) throws(SessionError) -> Session {
        for key in ["llm_latency_ms", "heartbeat_llm_latency_ms"] {
            if case .integer(let milliseconds)? = configuration.config[key], Duration.milliseconds(milliseconds) > options.maximumSimulatedLatency {
                throw .invalidArgument("\(key) \(milliseconds) is above this server's limit of \(options.maximumSimulatedLatency.wholeMicroseconds / 1000) ms")
            }
        }
        let adapters = try adapterCatalog.adapters(
            for: configuration, startCount: stored?.turnCount ?? 0, defaultLatency: options.llmLatency, store: store)
        return try Session(
            configuration: configuration, graphs: graphs, adapters: adapters,
            heartbeat: heartbeat(for: configuration),
            events: events, store: store, restoring: stored)
    }

    /// The heartbeat a session gets: its config may turn heartbeats off or slow them down, but
    /// the server's settings are the bound — a type the server runs without heartbeats
    /// (`--no-heartbeats`, an interval of 0) stays without, and no interval is shorter than
    /// `minimumHeartbeatInterval`.
    private func heartbeat(for configuration: SessionConfiguration) -> HeartbeatSettings {
        let server = options.heartbeats[configuration.sessionType]
        guard server.enabled, var chosen = configuration.heartbeat else { return server }
        chosen.interval = max(chosen.interval, options.minimumHeartbeatInterval)
        return chosen
    }

    private func startHeartbeats(_ session: Session) {
        guard session.heartbeat.enabled, session.heartbeat.interval > .zero else { return }
        scheduler.schedule(session, every: session.heartbeat.interval)
    }

    /// The session with `id`, or `nil`.
    public func session(_ id: String) -> Session? { sessions.withLock { $0[id] } }

    /// Stored sessions that could not be loaded, by id, with what is wrong with each.
    public var corruptSessions: [CorruptSession] {
        corruptIDs.withLock { table in table.map { CorruptSession(sessionID: $0.key, reason: $0.value) } }
            .sorted { $0.sessionID < $1.sessionID }
    }

    static func corruptMessage(_ id: String, _ reason: String) -> String {
        "session '\(id)' cannot be served: \(reason); the other sessions are served. Repair or delete its rows in the store, then restart"
    }

    /// The session with `id`, or `SessionError.notFound` (`.corrupt` when its stored rows are damaged).
    public func require(_ id: String) throws(SessionError) -> Session {
        guard let session = session(id) else {
            if let reason = corruptIDs.withLock({ $0[id] }) { throw SessionError.corrupt(Self.corruptMessage(id, reason)) }
            if stoppedIDs.withLock({ $0.contains(id) }) {
                throw SessionError.stopped("session '\(id)' is stopped; create a new session")
            }
            throw SessionError.notFound("no session '\(id)'; create it first (session.create) or list sessions (session.list)")
        }
        return session
    }

    /// The session with `id`, taking it over from the shared store when this host does not
    /// run it: its lease is acquired (or `.leased` names the host that holds it) and its state
    /// loaded — history, working memory, goals, turn count and configuration. Without leases
    /// this is `require`.
    public func resolve(_ id: String) async throws(SessionError) -> Session {
        guard let store, let leases = store.leases else { return try require(id) }
        if let session = session(id) {
            if leases.token(for: id) != nil { return session }
            evict(id)
        }
        if stoppedIDs.withLock({ $0.contains(id) }) { return try require(id) }
        _ = try await leases.acquire(id)
        do throws(SessionError) {
            guard let stored = try await store.loadSession(id) else {
                throw SessionError.notFound("no session '\(id)' in the shared store; create it first (session.create)")
            }
            var configuration = SessionConfiguration(
                sessionID: stored.sessionID, agentID: stored.agentID,
                sessionType: try SessionType.named(stored.sessionType), trustTier: stored.trustTier,
                traceID: stored.traceID, seedRef: stored.seedRef, signalTopic: stored.signalTopic)
            if case .map(let config) = stored.config { try configuration.applySettings(from: config) }
            let session = try makeSession(configuration, restoring: stored)
            let winner = sessions.withLock { table -> Session in
                if let present = table[id] { return present }
                table[id] = session
                return session
            }
            if winner === session { startHeartbeats(session) }
            return winner
        } catch {
            await leases.release(id)
            throw error
        }
    }

    /// Drops the local copy of a session whose lease this host lost; it keeps running
    /// nothing here (its heartbeats stop with it), and the store keeps it as it is.
    func evict(_ id: String) {
        guard let session = sessions.withLock({ $0.removeValue(forKey: id) }) else { return }
        Task { await session.stop() }
    }

    /// Every session, ordered by id.
    public var all: [Session] { sessions.withLock { Array($0.values) }.sorted { $0.id < $1.id } }

    /// How many sessions there are.
    public var count: Int { sessions.withLock { $0.count } }

    /// Stops and forgets a session (the store keeps it, marked stopped).
    public func stop(_ id: String) async throws(SessionError) {
        try await stop(id, afterTicket: nil)
    }

    /// Stops session `id` once the messages admitted before `ticket` have had their turns
    /// (see `Session.stop(afterTicket:)`); without a ticket, at once.
    public func stop(_ id: String, afterTicket ticket: UInt64?) async throws(SessionError) {
        if store?.leases != nil && self.session(id) == nil { _ = try await resolve(id) }
        guard let session = self.session(id) else {
            throw SessionError.notFound("no session '\(id)' to stop")
        }
        if let ticket { await session.stop(afterTicket: ticket) } else { await session.stop() }
        guard sessions.withLock({ $0.removeValue(forKey: id) }) != nil else {
            throw SessionError.notFound("no session '\(id)' to stop (it was stopped meanwhile)")
        }
        stoppedIDs.withLock { _ = $0.insert(id) }
        if let store { try await store.markStopped(sessionID: id) }
        await store?.leases?.release(id)
    }

    static func record(of configuration: SessionConfiguration) -> StoredSession {
        StoredSession(
            sessionID: configuration.sessionID, agentID: configuration.agentID,
            sessionType: configuration.sessionType.rawValue, trustTier: configuration.trustTier,
            traceID: configuration.traceID, config: .map(configuration.config), seedRef: configuration.seedRef,
            signalTopic: configuration.signalTopic, turnCount: 0, messages: [], messageSequence: 0,
            workingMemory: .map([:]), goals: [], cognitiveMode: "reflection", summary: nil, windowStart: 0)
    }
}
