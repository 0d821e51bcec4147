// The accessors are `@inlinable`: conditions, prompt expansion and plugin calls read context
// values on every node of every turn, and across a module boundary a non-inlinable getter is
// an opaque call (plus a retain/release of the payload) where a pattern match would do.
extension ContextValue {
    /// The value as text, the way conditions and prompt expansion see it:
    /// strings as they are, numbers and booleans in their usual spelling, null as empty,
    /// lists and maps as compact JSON.
    @inlinable
    public var stringValue: String {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .list, .map, .messages: return jsonText
        }
    }

    /// The text of a `.string`, else `nil` (no conversion, unlike `stringValue`).
    @inlinable
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number of an `.integer` (or of a `.double` with no fraction), else `nil`.
    @inlinable
    public var integer: Int? {
        switch self {
        case .integer(let number): return number
        case .double(let number): return number.rounded() == number ? Int(exactly: number) : nil
        default: return nil
        }
    }

    /// The items of a `.list` (shared), or the maps of `.messages` (built: O(count)), else `nil`.
    @inlinable
    public var list: [ContextValue]? {
        switch self {
        case .list(let items): return items
        case .messages(let messages): return Array(messages)
        default: return nil
        }
    }

    /// The number of items of a `.list` or `.messages`, without reading them; else `nil`.
    @inlinable
    public var listCount: Int? {
        switch self {
        case .list(let items): return items.count
        case .messages(let messages): return messages.count
        default: return nil
        }
    }

    /// The messages of a `.messages` (shared), or of a `.list` made compact (O(count)), else
    /// `nil`: how a session node extends the conversation whichever form it arrived in.
    @inlinable
    public var messageList: MessageList? {
        switch self {
        case .messages(let messages): return messages
        case .list(let items): return MessageList(items)
        default: return nil
        }
    }

    /// The entries of a `.map`, else `nil`.
    @inlinable
    public var map: [String: ContextValue]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    /// The entry `key` of a `.map`, else `nil` (also for values that are not maps).
    @inlinable
    public subscript(key: String) -> ContextValue? {
        if case .map(let entries) = self { return entries[key] }
        return nil
    }
}
