/// A typed JSON-shaped value: what a run's context holds, what sessions store, and what
/// plugins read and write across the C ABI (as JSON text).
///
/// One type serves the engine, the sessions and the plugin SDK (where it is also spelled
/// `PluginValue`), so a value never has to be converted between mirrors. Lists and maps are
/// Swift collections, so passing them around shares storage (copy-on-write) instead of copying it.
///
/// `.messages` is a list too, stored compactly (a session's conversation): it equals, hashes,
/// encodes and reads (`list`, `listCount`, `stringValue`) exactly as the `.list` of the same
/// maps, so code that takes a list takes either; only code that matches `.list` itself must
/// also match `.messages`.
public enum ContextValue: Sendable {
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
    /// A list of `{role, content, ...}` message maps, stored compactly (see `MessageList`).
    case messages(MessageList)
}

extension ContextValue: Hashable {
    /// Equal values; a `.messages` equals the `.list` of the same maps.
    public static func == (lhs: ContextValue, rhs: ContextValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let left), .string(let right)): return left == right
        case (.integer(let left), .integer(let right)): return left == right
        case (.double(let left), .double(let right)): return left == right
        case (.boolean(let left), .boolean(let right)): return left == right
        case (.list(let left), .list(let right)): return left == right
        case (.map(let left), .map(let right)): return left == right
        case (.null, .null): return true
        case (.messages(let left), .messages(let right)): return left == right
        case (.messages(let messages), .list(let items)), (.list(let items), .messages(let messages)): return messages == items
        default: return false
        }
    }

    /// Hashes the value; a `.messages` hashes as the `.list` of the same maps.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let text): hasher.combine(0 as UInt8); hasher.combine(text)
        case .integer(let number): hasher.combine(1 as UInt8); hasher.combine(number)
        case .double(let number): hasher.combine(2 as UInt8); hasher.combine(number)
        case .boolean(let flag): hasher.combine(3 as UInt8); hasher.combine(flag)
        case .list(let items): hasher.combine(4 as UInt8); hasher.combine(items)
        case .messages(let messages): hasher.combine(4 as UInt8); hasher.combine(messages)
        case .map(let entries): hasher.combine(5 as UInt8); hasher.combine(entries)
        case .null: hasher.combine(6 as UInt8)
        }
    }
}
