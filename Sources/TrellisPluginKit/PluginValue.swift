/// A typed value a plugin reads from or writes to a run's context.
///
/// The SDK's own mirror of the host's context values: a plugin never links the host's
/// modules, so structured values (lists and maps) travel across the C ABI as JSON text and
/// arrive here as `PluginValue`s.
public enum PluginValue: Sendable, Hashable {
    /// Text.
    case string(String)
    /// A whole number.
    case integer(Int)
    /// A floating-point number.
    case double(Double)
    /// True or false.
    case boolean(Bool)
    /// An ordered list.
    case list([PluginValue])
    /// A string-keyed map.
    case map([String: PluginValue])
    /// Explicitly nothing.
    case null

    /// The value as text, the way graph conditions see it: strings as they are, numbers and
    /// booleans in their usual spelling, null as empty, lists and maps as compact JSON.
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

    /// The text of a `.string`, else `nil`.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number of an `.integer` (or of a `.double` with no fraction), else `nil`.
    public var integer: Int? {
        switch self {
        case .integer(let number): return number
        case .double(let number): return number.rounded() == number ? Int(exactly: number) : nil
        default: return nil
        }
    }

    /// The items of a `.list`, else `nil`.
    public var list: [PluginValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The entries of a `.map`, else `nil`.
    public var map: [String: PluginValue]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    /// The entry `key` of a `.map`, else `nil`.
    public subscript(key: String) -> PluginValue? {
        map?[key]
    }
}

extension PluginValue: ExpressibleByStringLiteral {
    /// A `.string` from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PluginValue: ExpressibleByIntegerLiteral {
    /// An `.integer` from a literal.
    public init(integerLiteral value: Int) { self = .integer(value) }
}

extension PluginValue: ExpressibleByBooleanLiteral {
    /// A `.boolean` from a literal.
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

extension PluginValue: ExpressibleByArrayLiteral {
    /// A `.list` from a literal.
    public init(arrayLiteral elements: PluginValue...) { self = .list(elements) }
}

extension PluginValue: ExpressibleByDictionaryLiteral {
    /// A `.map` from a literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, PluginValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
