import Foundation
import TrellisDOT
import TrellisHosting
import TrellisSession

/// The options `trellis chat` and `trellis serve` share, declared once, and the session host
/// settings they make.
enum SessionHostOptions {
    static let pluginDirectory = OptionSpec.value(
        "plugin-dir", "DIR", repeatable: true, "load node types and adapters from plugins in DIR (repeatable)")
    static let pluginCallTimeout = OptionSpec.value(
        "plugin-call-timeout", "DURATION", """
        fail an asynchronous plugin call still pending after DURATION when its node
        has no timeout attribute (default 300s; plugin_call_timeout in the configuration)
        """)
    static let turnGraph = OptionSpec.value(
        "turn-graph", "FILE", "the turn graph (default Graphs/session/turn.dot, else built in)")
    static let heartbeatGraph = OptionSpec.value(
        "heartbeat-graph", "FILE", "the heartbeat graph (default Graphs/session/heartbeat.dot, else built in)")
    static let store = OptionSpec.value("store", "FILE|URL", """
        keep sessions in this SQLite file (sessions in it are resumed), or in
        PostgreSQL at postgres://USER@HOST:PORT/DB, shared with other hosts
        by lease (password and TLS from the URL or PGPASSWORD, PGSSLMODE, ...)
        """)
    static let leaseTTL = OptionSpec.value("lease-ttl", "DURATION", """
        with a PostgreSQL store, how long this host's lease on a session
        lasts without renewal (default 10s; renewed every third of it)
        """)
    static let hostID = OptionSpec.value(
        "host-id", "ID", "with a PostgreSQL store, this host's id in leases (default host-pid-random)")
    static let durability = OptionSpec.value("durability", "off|batched|sync", """
        off, batched or sync (default sync: a reply is sent only after
        its turn is committed and synced)
        """)
    static let llmLatency = OptionSpec.value("llm-latency-ms", "N", "latency of the built-in simulated LLM (default 0)")
    static let noHeartbeats = OptionSpec.flag("no-heartbeats", "do not run scheduled heartbeats")
    static let heartbeatInterval = OptionSpec.value("heartbeat-interval", "TYPE=MS", repeatable: true, """
        heartbeat sessions of TYPE every MS milliseconds, 0 for never
        (repeatable; defaults: primary 30000, background 10000,
        delegation and consultation never)
        """)
    static let retainMessages = OptionSpec.value("retain-messages", "N", """
        keep at most N messages per session in the store (default all;
        a restored session then starts with at most its last N messages)
        """)
    static let retainTurns = OptionSpec.value(
        "retain-turns", "N", "keep at most N journal entries per session in the store (default all)")

    static let config = OptionSpec.value("config", "FILE", """
        the configuration file (default ./trellis.json, else
        $XDG_CONFIG_HOME/trellis/config.json; see docs/configuration.md)
        """)
    static let llm = OptionSpec.value("llm", "PROVIDER", """
        openai, anthropic, gemini, offline, simulated, or a plugin adapter
        (default: a provider whose key is set, else a local server, else offline)
        """)
    static let model = OptionSpec.value("model", "NAME", "the model (default: the provider's; gpt-*, claude-*, gemini-* imply it)")
    static let baseURL = OptionSpec.value("base-url", "URL", """
        the server (any OpenAI-compatible one with --llm openai:
        http://127.0.0.1:11434/v1 for Ollama, :8080/v1 for llama.cpp)
        """)
    static let memory = OptionSpec.value("memory", "NAME", "sqlite (default, in the data dir), in_memory, none, or a plugin adapter")
    static let tools = OptionSpec.value("tools", "NAME", "the tools adapter (default: the tools the configuration declares, else none)")
    static let dataDirectory = OptionSpec.value("data-dir", "DIR", "where memory and chat history live (default $XDG_DATA_HOME/trellis)")

    /// The options about models, memory and configuration that chat and serve share.
    static let modelOptions: [OptionSpec] = [config, llm, model, baseURL, memory, tools, dataDirectory]

    /// The configuration file (`--config`, else the usual places) with the flags applied over it.
    static func configuration(from scanner: ArgumentScanner) throws -> HostConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let directory = FileManager.default.currentDirectoryPath
        var configuration = HostConfiguration()
        if let path = try ConfigurationLoader.locate(explicit: scanner.value("config"), environment: environment, currentDirectory: directory) {
            configuration = try ConfigurationLoader.load(path: path)
        }
        if let provider = scanner.value("llm") { configuration.model.provider = provider }
        if let model = scanner.value("model") { configuration.model.model = model }
        if let url = scanner.value("base-url") { configuration.model.baseURL = url }
        if let memory = scanner.value("memory") { configuration.memory = memory }
        if let directory = scanner.value("data-dir") { configuration.dataDirectory = directory }
        if let tools = scanner.value("tools") {
            for type in SessionType.allCases { configuration.adaptersBySessionType[type.rawValue, default: [:]]["tools"] = tools }
        }
        return configuration
    }

    /// The whole host setup for chat and serve: flags, then the configuration file, then
    /// what the environment offers.
    static func hostSettings(from scanner: ArgumentScanner) async throws -> SessionHost.Settings {
        let configuration = try configuration(from: scanner)
        var settings = try settings(from: scanner)
        if scanner.value("durability") == nil, let mode = configuration.durability { settings.durability = try Durability.named(mode) }
        return try await HostSetup.sessionHostSettings(settings, configuration: configuration, environment: ProcessInfo.processInfo.environment)
    }

    /// `--plugin-call-timeout`, when given: a positive duration.
    static func pluginCallTimeout(from scanner: ArgumentScanner) throws(UsageError) -> Duration? {
        guard let text = scanner.value("plugin-call-timeout") else { return nil }
        guard let duration = AttributeValue(text).duration, duration > .zero else {
            throw UsageError("--plugin-call-timeout \(text): give a positive duration such as 90s or 10m")
        }
        return duration
    }

    /// The host settings the scanned options ask for; options a command does not declare keep their defaults.
    static func settings(from scanner: ArgumentScanner) throws -> SessionHost.Settings {
        var settings = SessionHost.Settings()
        settings.pluginDirectories = scanner.values("plugin-dir")
        settings.pluginCallTimeout = try pluginCallTimeout(from: scanner)
        settings.turnGraphPath = scanner.value("turn-graph")
        settings.heartbeatGraphPath = scanner.value("heartbeat-graph")
        settings.storePath = scanner.value("store")
        settings.hostID = scanner.value("host-id")
        if let text = scanner.value("lease-ttl") {
            guard let ttl = AttributeValue(text).duration, ttl >= .milliseconds(100) else {
                throw UsageError("--lease-ttl needs a duration of at least 100ms, such as 10s or 500ms, not '\(text)'")
            }
            settings.leaseTTL = ttl
        }
        if let mode = scanner.value("durability") { settings.durability = try Durability.named(mode) }
        if let milliseconds = try scanner.number("llm-latency-ms", minimum: 0, message: {
            "--llm-latency-ms needs a whole number of milliseconds, not '\($0)'"
        }) {
            settings.llmLatency = .milliseconds(milliseconds)
        }
        if scanner.flag("no-heartbeats") { settings.heartbeats = .disabled }
        for setting in scanner.values("heartbeat-interval") {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let type = SessionType(rawValue: parts[0]), let milliseconds = Int(parts[1]), milliseconds >= 0 else {
                throw UsageError("--heartbeat-interval needs TYPE=MS (MS 0 turns the type's heartbeats off), not '\(setting)'; types: primary, background, delegation, consultation")
            }
            settings.heartbeats[type] = HeartbeatSettings(enabled: milliseconds > 0, interval: .milliseconds(max(milliseconds, 1)))
        }
        for (name, keep) in [("retain-messages", \SessionHost.Settings.retainMessages), ("retain-turns", \.retainTurns)] {
            settings[keyPath: keep] = try scanner.number(name, minimum: 1) { "--\(name) needs a positive whole number, not '\($0)'" }
        }
        return settings
    }
}
