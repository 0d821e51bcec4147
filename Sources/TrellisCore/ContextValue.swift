/// A typed JSON-shaped value: what a run's context holds, what sessions store, and what
/// plugins read and write across the C ABI (as JSON text).
///
/// One type serves the engine, the sessions and the plugin SDK (where it is also spelled
/// `PluginValue`), so a value never has to be converted between mirrors. Lists and maps are
/// Swift collections, so passing them around shares storage (copy-on-write) instead of copying it.
public enum ContextValue: Sendable, Hashable {
    /// Text.
    case string(String)
    /// A whole number.
    case integer(Int)
    /// A floating-point number.
    case double(Double)
    /// True or false.
    case boolean(Bool)
    /// An ordered list.
    case list([ContextValue])
    /// A string-keyed map.
    case map([String: ContextValue])
    /// Explicitly nothing.
    case null
}
