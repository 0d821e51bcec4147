import Foundation
import TrellisEngine
import TrellisProviders
import TrellisSession
import TrellisTools

/// What `trellis chat` and `trellis serve` set up: the store, the session manager (graphs
/// watched) and plugins, from command-line settings. Sessions in the store are restored.
public struct SessionHost: Sendable {
    /// Command-line settings.
    public struct Settings: Sendable {
        /// Plugin directories (`--plugin-dir`).
        public var pluginDirectories: [String] = []
        /// How long an asynchronous plugin call without a node `timeout` may stay pending
        /// (`--plugin-call-timeout`, `plugin_call_timeout`); `nil`: `PluginHost.defaultCallTimeout`.
        public var pluginCallTimeout: Duration?
        /// The turn graph file (`--turn-graph`).
        public var turnGraphPath: String?
        /// The heartbeat graph file (`--heartbeat-graph`).
        public var heartbeatGraphPath: String?
        /// The store: a SQLite file or a `postgres://` URL (`--store`).
        public var storePath: String?
        /// How long a lease on a session lasts without renewal (`--lease-ttl`; `nil`: 10 s).
        public var leaseTTL: Duration?
        /// This host's id in session leases (`--host-id`; `nil`: host name, pid, random).
        public var hostID: String?
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
        /// The model sessions talk to unless their config names another (`nil`: the simulated one).
        public var model: ModelChoice?
        /// The default memory: `sqlite` (in `dataDirectory`), `in_memory`, `none` or a plugin adapter (`nil`: `in_memory`).
        public var memory: String?
        /// Memories one recall returns (`nil`: the memory's default).
        public var recallLimit: Int?
        /// Where the SQLite memory lives.
        public var dataDirectory: String?
        /// Tools the model may call; when there are any they are every session's default tools adapter, `tools`.
        public var tools: [ToolDeclaration] = []
        /// Config settings every new session starts with.
        public var sessionDefaults: [String: ContextValue] = [:]
        /// Adapter names by session type and kind (`llm`, `memory`, `tools`).
        public var adaptersBySessionType: [String: [String: String]] = [:]

        /// Default settings.
        public init() {}
    }

    /// The sessions.
    public let manager: SessionManager
    /// The SQLite memory, when it is the host's memory.
    public let memory: SQLiteMemory?
    /// The store, when `--store` was given.
    public let store: SessionStore?
    /// Plugins, when plugin directories were given.
    public let plugins: SessionPlugins?

    /// `init` on a thread of its own, for async callers: opening the store blocks (connecting
    /// to PostgreSQL and migrating its schema, restoring a SQLite store's sessions), and a
    /// thread of the cooperative pool must never wait on that.
    public static func start(_ settings: Settings) async throws(SessionError) -> SessionHost {
        let opened: Result<SessionHost, SessionError> = await withCheckedContinuation { continuation in
            Thread {
                do throws(SessionError) { continuation.resume(returning: .success(try SessionHost(settings))) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        return try opened.get()
    }

    /// Opens the store, loads graphs and plugins, restores stored sessions. Blocks the calling
    /// thread while it does (async callers: `start`).
    public init(_ settings: Settings) throws(SessionError) {
        let events = SessionEventBus()
        var store: SessionStore?
        if let path = settings.storePath {
            let options = SessionStoreOptions(
                durability: settings.durability, maxMessagesPerSession: settings.retainMessages,
                maxJournalEntriesPerSession: settings.retainTurns)
            store = try SessionStore(
                location: StoreLocation(path), options: options, hostID: settings.hostID,
                leaseTTL: settings.leaseTTL ?? .seconds(10)
            ) { message in
                events.publish(SessionEvent(kind: "store_failed", topic: SessionManager.topic, sessionID: nil,
                                            traceID: SessionConfiguration.newTraceID(), fields: ["error": .string(message)]))
            }
        }
        let catalog = AdapterCatalog()
        memory = try Self.registerAdapters(settings, in: catalog)
        var registry = SessionHandlers.registry
        var plugins: SessionPlugins?
        if !settings.pluginDirectories.isEmpty {
            let loaded = SessionPlugins(directories: settings.pluginDirectories, builtins: registry, catalog: catalog,
                                        callTimeout: settings.pluginCallTimeout)
            registry = loaded.registry
            plugins = loaded
        }
        let manager = try SessionManager(
            options: SessionManagerOptions(
                turnGraphPath: settings.turnGraphPath, heartbeatGraphPath: settings.heartbeatGraphPath,
                heartbeats: settings.heartbeats, store: store, llmLatency: settings.llmLatency,
                sessionDefaults: settings.sessionDefaults),
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
        await store?.shutdown()
        memory?.close()
    }

    /// Registers the host's own adapters (model, SQLite memory, declared tools) and makes
    /// them the defaults; returns the SQLite memory when one was opened.
    private static func registerAdapters(_ settings: Settings, in catalog: AdapterCatalog) throws(SessionError) -> SQLiteMemory? {
        switch settings.model {
        case .provider(let provider)?:
            catalog.register(provider.kind.rawValue, .llm(ProviderLLM(settings: provider)))
        case .offline(let reason)?:
            catalog.register("offline", .llm(OfflineModel(reason: reason)))
        case .simulated?, .adapter?, nil:
            break
        }
        if let model = settings.model { catalog.setDefault(.llm, model.adapterName) }
        var memory: SQLiteMemory?
        if settings.memory == "sqlite" {
            guard let directory = settings.dataDirectory else {
                throw SessionError.configuration("the sqlite memory needs a data directory (--data-dir or data_dir)")
            }
            var options = SQLiteMemoryOptions()
            if let limit = settings.recallLimit { options.recallLimit = limit }
            let opened = try SQLiteMemory(path: directory + "/memory.sqlite", options: options)
            catalog.register("sqlite", .memory(opened))
            memory = opened
        }
        if let name = settings.memory { catalog.setDefault(.memory, name) }
        if !settings.tools.isEmpty {
            catalog.register("tools", .tools(CommandTools(settings.tools)))
            catalog.setDefault(.tools, "tools")
        }
        for (typeName, names) in settings.adaptersBySessionType {
            guard let type = SessionType(rawValue: typeName) else { continue }
            for (kindName, name) in names {
                if let kind = AdapterKind(rawValue: kindName) { catalog.setDefault(kind, name, for: type) }
            }
        }
        return memory
    }
}
