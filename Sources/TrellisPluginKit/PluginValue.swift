/// A typed value a plugin reads from or writes to a run's context: the SDK's name for
/// TrellisCore's `ContextValue`.
///
/// Host and plugins share the one type (a plugin still links only this SDK and the core it
/// brings, never the host's modules); structured values travel across the C ABI as JSON
/// text and arrive here through `PluginValue(jsonText:)`.
public typealias PluginValue = ContextValue

/// A text handed to `PluginValue(jsonText:)` is not JSON: the SDK's name for `ContextValueJSONError`.
public typealias PluginValueJSONError = ContextValueJSONError

extension ContextValue {
    /// How deep JSON from the host may nest when the SDK reads it. Lower than the core's
    /// default because the SDK parses on host threads, whose stacks the plugin does not size.
    static let sdkMaximumJSONDepth = 256
}
