public import TrellisEngine

/// One immutable snapshot of what a host serves: the handler registry (built-ins plus plugin
/// types) and the plugin adapters. A run takes the generation current when it starts and keeps
/// it to the end, whatever is published meanwhile.
public struct PluginGeneration: Sendable {
    /// Increases with every publication (0: built-ins only, before the first reload).
    public let number: UInt64
    /// Built-in and plugin node types; plugin types under their qualified id and, when
    /// unambiguous, their unqualified alias.
    public let registry: HandlerRegistry
    /// Plugin adapters by qualified name (and unqualified alias when unambiguous).
    public let adapters: [String: PluginAdapter]
    /// The plugins serving in this generation, sorted by file.
    public let plugins: [PluginInfo]
    /// Built-in type ids a plugin type of the same id replaces in this generation (a plugin
    /// may replace a built-in; listings and load reports say so rather than doing it silently).
    public let replacedBuiltins: Set<String>

    /// Creates a generation.
    public init(number: UInt64, registry: HandlerRegistry, adapters: [String: PluginAdapter] = [:], plugins: [PluginInfo] = [],
                replacedBuiltins: Set<String> = []) {
        self.number = number
        self.registry = registry
        self.adapters = adapters
        self.plugins = plugins
        self.replacedBuiltins = replacedBuiltins
    }
}
