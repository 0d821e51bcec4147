import Foundation
import TrellisSession

/// From a configuration (flags already applied over the file) to the settings a session host
/// runs with: the model chosen or discovered, the memory, the data directory, the tools.
public enum HostSetup {
    /// What the offline model says when nothing was configured or found.
    public static let noProviderReason = """
        no model provider is configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, \
        start a local OpenAI-compatible server (Ollama on port 11434, llama.cpp on 8080), or pass \
        --llm with --model and --base-url (see docs/configuration.md)
        """

    /// `$XDG_DATA_HOME/trellis`, else `~/.local/share/trellis`: where memory and chat history live.
    public static func defaultDataDirectory(environment: [String: String]) -> String {
        if let base = environment["XDG_DATA_HOME"], !base.isEmpty { return base + "/trellis" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/trellis"
    }

    /// Settings for `trellis chat` and `serve`: `base` (the flags that have no configuration
    /// key) completed from `configuration`. The model is the one asked for, else one found
    /// (a key in the environment, a local server), else the offline model, which says so.
    /// The memory defaults to `sqlite` in the data directory.
    public static func sessionHostSettings(
        _ base: SessionHost.Settings, configuration: HostConfiguration, environment: [String: String]
    ) async throws(ModelSelectionError) -> SessionHost.Settings {
        var settings = base
        settings.pluginDirectories = configuration.pluginDirectories + settings.pluginDirectories
        settings.pluginCallTimeout = settings.pluginCallTimeout ?? configuration.pluginCallTimeout
        settings.turnGraphPath = settings.turnGraphPath ?? configuration.turnGraph
        settings.heartbeatGraphPath = settings.heartbeatGraphPath ?? configuration.heartbeatGraph
        settings.storePath = settings.storePath ?? configuration.storePath
        settings.leaseTTL = settings.leaseTTL ?? configuration.leaseTTL
        settings.hostID = settings.hostID ?? configuration.hostID
        settings.retainMessages = settings.retainMessages ?? configuration.retainMessages
        settings.retainTurns = settings.retainTurns ?? configuration.retainTurns
        settings.model = try await ModelSelection(configuration.model, environment: environment).resolve(discover: true)
            ?? .offline(reason: noProviderReason)
        settings.memory = configuration.memory ?? "sqlite"
        settings.recallLimit = configuration.recallLimit
        settings.dataDirectory = configuration.dataDirectory ?? defaultDataDirectory(environment: environment)
        settings.tools = configuration.tools
        settings.sessionDefaults = configuration.sessionConfig
        settings.adaptersBySessionType = configuration.adaptersBySessionType
        return settings
    }
}
