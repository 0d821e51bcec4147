import TrellisEngine
import TrellisTools

/// Everything `trellis chat`, `serve` and `run` can be told by a configuration file, before
/// command-line flags override it. `docs/configuration.md` documents every key.
///
/// Paths are absolute once loaded: a relative path in the file is relative to the file's folder.
public struct HostConfiguration: Sendable {
    /// The model: which provider (or adapter), which model, where.
    public struct Model: Sendable, Equatable {
        /// `openai`, `anthropic`, `gemini`, `offline`, `simulated`, or a plugin adapter's name; `nil`: discover.
        public var provider: String?
        /// The model name; `nil`: the provider's default (or the one a local server lists).
        public var model: String?
        /// The server's base URL; `nil`: the provider's.
        public var baseURL: String?
        /// The environment variable holding the API key; `nil`: the provider's usual one.
        public var apiKeyVariable: String?
        /// Longest time one request may take.
        public var timeout: Duration?
        /// Attempts per request, retries included.
        public var maxAttempts: Int?
        /// `max_tokens` for the answer.
        public var maxOutputTokens: Int?
        /// A PEM file of CA certificates to trust besides the system's (a private CA).
        public var caFile: String?

        /// Nothing chosen.
        public init() {}
    }

    /// Where the configuration came from, for messages (`nil`: no file).
    public var file: String?
    /// The model.
    public var model = Model()
    /// The memory adapter: `sqlite` (the default for chat and serve), `in_memory`, `none`, or a plugin adapter.
    public var memory: String?
    /// Memories one recall returns.
    public var recallLimit: Int?
    /// Tools the model may call.
    public var tools: [ToolDeclaration] = []
    /// Plugin directories.
    public var pluginDirectories: [String] = []
    /// `plugin_call_timeout`: how long an asynchronous plugin call of a node without a `timeout`
    /// attribute may stay pending; `nil`: the host's default (`PluginHost.defaultCallTimeout`).
    public var pluginCallTimeout: Duration?
    /// The turn graph file.
    public var turnGraph: String?
    /// The heartbeat graph file.
    public var heartbeatGraph: String?
    /// The session store: a SQLite file, or a `postgres://` / `postgresql://` URL.
    public var storePath: String?
    /// How long a host's lease on a session lasts without renewal (PostgreSQL store).
    public var leaseTTL: Duration?
    /// This host's id in session leases (PostgreSQL store; default host name, pid, random).
    public var hostID: String?
    /// Store durability: `off`, `batched` or `sync`.
    public var durability: String?
    /// How `trellis run` syncs its checkpoints: `off`, `batched` or `sync` (`--durability` overrides).
    public var runDurability: String?
    /// Messages kept per session in the store.
    public var retainMessages: Int?
    /// Journal entries kept per session in the store.
    public var retainTurns: Int?
    /// Where memory and chat history live (`$XDG_DATA_HOME/trellis` when not set).
    public var dataDirectory: String?
    /// Settings seeded into every new session's config (`system_prompt`, `max_tool_rounds`, `turn_policy`, ...).
    public var sessionConfig: [String: ContextValue] = [:]
    /// Adapters by session type: `{"background": {"llm": "...", "memory": "...", "tools": "..."}}`.
    public var adaptersBySessionType: [String: [String: String]] = [:]
    /// What pipeline tool commands may not inherit from the host's environment (`tool_env`).
    public var toolSecrets = SecretVariables()

    /// An empty configuration: every choice left to flags and defaults.
    public init() {}
}
