import CTrellisPlugin

extension NodeCall {
    /// The text under `key` when it holds a string; `nil` when unset or of another type.
    public func string(_ key: String) -> String? {
        var out = trellis_string(data: nil, length: 0)
        let status = withTrellisString(key) { host.pointee.context_get_string!(pointer, $0, &out) }
        return status == TRELLIS_OK ? String(borrowing: out) : nil
    }

    /// The value under `key` as text whatever its type (numbers and booleans spelled out,
    /// lists and maps as JSON); empty when unset. The lenient reading conditions use.
    public func text(_ key: String) -> String {
        if let text = string(key) { return text }
        return value(key)?.stringValue ?? ""
    }

    /// The whole number under `key`; `nil` when unset or of another type.
    public func integer(_ key: String) -> Int? {
        var out: Int64 = 0
        let status = withTrellisString(key) { host.pointee.context_get_integer!(pointer, $0, &out) }
        return status == TRELLIS_OK ? Int(out) : nil
    }

    /// The number under `key` (an integer is converted); `nil` when unset or not a number.
    public func double(_ key: String) -> Double? {
        var out: Double = 0
        let status = withTrellisString(key) { host.pointee.context_get_double!(pointer, $0, &out) }
        return status == TRELLIS_OK ? out : nil
    }

    /// The boolean under `key`; `nil` when unset or of another type.
    public func boolean(_ key: String) -> Bool? {
        var out = false
        let status = withTrellisString(key) { host.pointee.context_get_boolean!(pointer, $0, &out) }
        return status == TRELLIS_OK ? out : nil
    }

    /// Whether `key` is set (to anything, null included).
    public func contains(_ key: String) -> Bool {
        withTrellisString(key) { host.pointee.context_type!(pointer, $0) } != TRELLIS_VALUE_NONE
    }

    /// The value under `key` whatever its type; `nil` when unset. Lists and maps cross the
    /// ABI as JSON of that one value, so prefer the typed readers, `listCount`/`listItem`/
    /// `listItemString` for large lists and `mapString`/`mapField` for one field of a map.
    public func value(_ key: String) -> PluginValue? {
        // Strings are what nodes read most, and an absent key is next: one host call answers
        // both, the type is asked only for the rest.
        var text = trellis_string(data: nil, length: 0)
        let type: Int32 = withTrellisString(key) { keyText in
            switch host.pointee.context_get_string!(pointer, keyText, &text) {
            case TRELLIS_OK: return TRELLIS_VALUE_STRING
            case TRELLIS_WRONG_TYPE: return host.pointee.context_type!(pointer, keyText)
            default: return TRELLIS_VALUE_NONE
            }
        }
        if type == TRELLIS_VALUE_STRING { return .string(String(borrowing: text)) }
        switch type {
        case TRELLIS_VALUE_STRING: return string(key).map(PluginValue.string)
        case TRELLIS_VALUE_INTEGER: return integer(key).map(PluginValue.integer)
        case TRELLIS_VALUE_DOUBLE: return double(key).map(PluginValue.double)
        case TRELLIS_VALUE_BOOLEAN: return boolean(key).map(PluginValue.boolean)
        case TRELLIS_VALUE_NULL: return .null
        case TRELLIS_VALUE_NONE: return nil
        default:
            var out = trellis_string(data: nil, length: 0)
            let status = withTrellisString(key) { host.pointee.context_get_json!(pointer, $0, &out) }
            guard status == TRELLIS_OK else { return nil }
            return try? PluginValue(jsonText: String(borrowing: out), maximumDepth: PluginValue.sdkMaximumJSONDepth)
        }
    }

    /// The number of items of the list under `key`: 0 when unset, `nil` when it holds something else.
    public func listCount(_ key: String) -> Int? {
        let count = withTrellisString(key) { host.pointee.context_list_count!(pointer, $0) }
        return count < 0 ? nil : Int(count)
    }

    /// Item `index` of the list under `key` (only that item crosses the ABI); `nil` when out of range.
    public func listItem(_ key: String, at index: Int) -> PluginValue? {
        var out = trellis_string(data: nil, length: 0)
        let status = withTrellisString(key) { host.pointee.context_list_item_json!(pointer, $0, Int64(index), &out) }
        guard status == TRELLIS_OK else { return nil }
        return try? PluginValue(jsonText: String(borrowing: out), maximumDepth: PluginValue.sdkMaximumJSONDepth)
    }

    /// The string under `field` of the map that is item `index` of the list under `key` (with
    /// an empty `field`, the item itself); `nil` when any of it is missing or not a string.
    /// Only that string crosses the ABI (`context_list_item_string`, ABI 1.4), not the item.
    public func listItemString(_ key: String, at index: Int, field: String) -> String? {
        var out = trellis_string(data: nil, length: 0)
        let status = withTrellisString(key) { keyText in
            withTrellisString(field) { host.pointee.context_list_item_string!(pointer, keyText, Int64(index), $0, &out) }
        }
        return status == TRELLIS_OK ? String(borrowing: out) : nil
    }

    /// The string under `field` of the map under `key`; `nil` when any of it is missing or not a
    /// string. Only that string crosses the ABI (`context_map_string`, ABI 1.4), not the map.
    public func mapString(_ key: String, field: String) -> String? {
        var out = trellis_string(data: nil, length: 0)
        return mapString(key, field: field, into: &out) == TRELLIS_OK ? String(borrowing: out) : nil
    }

    /// The value under `field` of the map under `key`, or `nil`. A string crosses alone
    /// (`mapString`); any other value is read with the whole map (`value(_:)`).
    public func mapField(_ key: String, field: String) -> PluginValue? {
        var out = trellis_string(data: nil, length: 0)
        switch mapString(key, field: field, into: &out) {
        case TRELLIS_OK: return .string(String(borrowing: out))
        case TRELLIS_WRONG_TYPE: return value(key)?[field]
        default: return nil
        }
    }

    private func mapString(_ key: String, field: String, into out: inout trellis_string) -> trellis_status {
        withTrellisString(key) { keyText in
            withTrellisString(field) { host.pointee.context_map_string!(pointer, keyText, $0, &out) }
        }
    }

    /// The number of messages in `session.messages`; its cost does not grow with the history.
    public var messageCount: Int {
        Int(host.pointee.messages_count!(pointer))
    }

    /// Message `index` of `session.messages` (0 is the oldest); `nil` when out of range or not a
    /// `{role, content}` map. Only that message is copied.
    public func message(at index: Int) -> SessionMessage? {
        var role = trellis_string(data: nil, length: 0)
        var content = trellis_string(data: nil, length: 0)
        guard host.pointee.message_at!(pointer, Int64(index), &role, &content) == TRELLIS_OK else { return nil }
        return SessionMessage(role: String(borrowing: role), content: String(borrowing: content))
    }

    /// Sets `key` to `value` in the context. Writes are collected into the node's outcome and
    /// applied by the engine after the node finishes; a later write to the same key wins.
    public func set(_ key: String, _ value: PluginValue) {
        withTrellisString(key) { keyText in
            switch value {
            case .string(let text):
                _ = withTrellisString(text) { host.pointee.context_set_string!(pointer, keyText, $0) }
            case .integer(let number):
                _ = host.pointee.context_set_integer!(pointer, keyText, Int64(number))
            case .double(let number):
                _ = host.pointee.context_set_double!(pointer, keyText, number)
            case .boolean(let flag):
                _ = host.pointee.context_set_boolean!(pointer, keyText, flag)
            case .list, .map, .null, .messages:
                _ = withTrellisString(value.jsonText) { host.pointee.context_set_json!(pointer, keyText, $0) }
            }
        }
    }
}

/// One message of the session history.
public struct SessionMessage: Sendable, Hashable {
    /// Who wrote it: `user`, `assistant`, `tool`, `system`.
    public var role: String
    /// What it says.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
