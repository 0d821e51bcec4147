import TrellisEngine
import TrellisPluginHost
import TrellisSession

/// Loads the plugins a command was pointed at (`--plugin-dir` and `$TRELLIS_PLUGIN_PATH`)
/// the same way for every command, and says what failed.
public enum PluginSetup {
    /// A plugin host over the built-in types (the engine's and the session node types) plus the plugins of `pluginDirectories`, loaded once,
    /// or `nil` after reporting each failure when any directory or library cannot be used:
    /// running or validating against an incomplete set of types would blame the graph for the
    /// plugin's problem. Plugin log lines and failures go to `report`, one line each.
    /// Asynchronous plugin calls without a node `timeout` are failed after `callTimeout`.
    public static func loadHost(pluginDirectories: [String], callTimeout: Duration? = PluginHost.defaultCallTimeout,
                                report: @escaping @Sendable (String) -> Void) -> PluginHost? {
        PluginLog.setSink { entry in report("\(entry)") }
        let directories = PluginSearchPath.directories(commandLine: pluginDirectories)
        let host = PluginHost(directories: directories, builtins: SessionHandlers.registry, callTimeout: callTimeout)
        guard !directories.isEmpty else { return host }
        let failures = host.reload().filter { $0.status == .failed }
        for failure in failures {
            report("cannot load plugins: \(failure.path): \(failure.message)")
        }
        return failures.isEmpty ? host : nil
    }
}
