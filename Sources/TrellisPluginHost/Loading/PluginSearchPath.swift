#if canImport(Glibc)
import Glibc
#endif

/// Where plugins are looked for: `--plugin-dir` directories (in order), then the
/// directories of `TRELLIS_PLUGIN_PATH` (colon-separated), without repeats.
public enum PluginSearchPath {
    /// The environment variable listing plugin directories.
    public static let environmentVariable = "TRELLIS_PLUGIN_PATH"

    /// The plugin directories for `commandLine` directories plus the environment's.
    public static func directories(commandLine: [String], environmentValue: String? = currentEnvironmentValue) -> [String] {
        var result: [String] = []
        let fromEnvironment = (environmentValue ?? "").split(separator: ":").map(String.init)
        for directory in commandLine + fromEnvironment where !directory.isEmpty {
            let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            if !result.contains(trimmed) { result.append(trimmed) }
        }
        return result
    }

    /// The value of `TRELLIS_PLUGIN_PATH` in this process, or `nil`.
    public static var currentEnvironmentValue: String? {
        getenv(environmentVariable).map { String(cString: $0) }
    }
}
