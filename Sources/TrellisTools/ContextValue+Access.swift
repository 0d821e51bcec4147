import TrellisEngine

// Short accessors for schemas and arguments (until the core value type carries them).
extension ContextValue {
    /// The member `key` of a map, else `nil`.
    subscript(member key: String) -> ContextValue? {
        if case .map(let entries) = self { return entries[key] }
        return nil
    }

    /// The text of a string, else `nil`.
    var asText: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A whole number (also from a double without fraction), else `nil`.
    var asInt: Int? {
        switch self {
        case .integer(let number): return number
        case .double(let number): return Int(exactly: number)
        default: return nil
        }
    }

    /// The items of a list, else an empty list.
    var asList: [ContextValue] {
        if case .list(let items) = self { return items }
        return []
    }
}
