import Foundation
import TrellisEngine
import TrellisSession

/// What `trellis chat` and `trellis serve` set up: the store, the session manager (graphs
/// watched) and plugins, from command-line settings. Sessions in the store are restored.
public struct SessionHost: Sendable {
    /// Command-line settings.
    public struct Settings: Sendable {
        /// Plugin directories (`--plugin-dir`).
        public var pluginDirectories: [String] = []
        /// The turn graph file (`--turn-graph`).
        public var turnGraphPath: String?
        /// The heartbeat graph file (`--heartbeat-graph`).
        public var heartbeatGraphPath: String?
        /// The store file (`--store`).
        public var storePath: String?
        /// Store durability (`--durability`).
        public var durability: Durability = .sync
        /// Messages kept per session in the store (`--retain-messages`; `nil`: all).
        public var retainMessages: Int?
        /// Journal entries kept per session (`--retain-turns`; `nil`: all).
        public var retainTurns: Int?
        /// The built-in LLM's latency (`--llm-latency-ms`).
        public var llmLatency: Duration = .zero
        /// Whether heartbeats run on their schedule.
        public var heartbeats: HeartbeatPolicy = HeartbeatPolicy()

        /// Default settings.
        public init() {}
    }

    /// The sessions.
    public let manager: SessionManager
    /// The store, when `--store` was given.
    public let store: SessionStore?
    /// Plugins, when plugin directories were given.
    public let plugins: SessionPlugins?

    /// Opens the store, loads graphs and plugins, restores stored sessions.
    public init(_ settings: Settings) throws(SessionError) {
        let events = SessionEventBus()
        var store: SessionStore?
        if let path = settings.storePath {
            let options = SessionStoreOptions(
                durability: settings.durability, maxMessagesPerSession: settings.retainMessages,
                maxJournalEntriesPerSession: settings.retainTurns)
            store = try SessionStore(path: path, options: options) { message in
                events.publish(SessionEvent(kind: "store_failed", topic: SessionManager.topic, sessionID: nil,
                                            traceID: SessionConfiguration.newTraceID(), fields: ["error": .string(message)]))
            }
        }
        let catalog = AdapterCatalog()
        var registry = SessionHandlers.registry
        var plugins: SessionPlugins?
        if !settings.pluginDirectories.isEmpty {
            let loaded = SessionPlugins(directories: settings.pluginDirectories, builtins: registry, catalog: catalog)
            registry = loaded.registry
            plugins = loaded
        }
        let manager = try SessionManager(
            options: SessionManagerOptions(
                turnGraphPath: settings.turnGraphPath, heartbeatGraphPath: settings.heartbeatGraphPath,
                heartbeats: settings.heartbeats, store: store, llmLatency: settings.llmLatency),
            events: events, registry: registry, adapterCatalog: catalog)
        plugins?.attach(to: manager)
        try manager.restoreSessions()
        self.manager = manager
        self.store = store
        self.plugins = plugins
    }

    /// Stops watchers and the scheduler and commits what the store has queued.
    public func shutdown() async {
        manager.shutdown()
        try? await store?.flush()
        store?.close()
    }
}
