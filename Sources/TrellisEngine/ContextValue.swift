/// A typed value in a run's context.
///
/// Lists and maps are Swift collections, so passing them between the session, the
/// context and handlers shares storage (copy-on-write) instead of copying it.
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

    /// The value as text, the way conditions and prompt expansion see it:
    /// strings as they are, numbers and booleans in their usual spelling, null as empty,
    /// lists and maps as compact JSON.
    public var stringValue: String {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .list, .map: return jsonText
        }
    }
}
