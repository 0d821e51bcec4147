import CTrellisPlugin
import TrellisDOT
import TrellisEngine

/// The host API's node, context and outcome functions, on the call they concern.
extension CallState {
    private static let ok = trellis_status(TRELLIS_OK)
    private static let notFound = trellis_status(TRELLIS_NOT_FOUND)
    private static let wrongType = trellis_status(TRELLIS_WRONG_TYPE)
    private static let unavailable = trellis_status(TRELLIS_UNAVAILABLE)
    private static let invalid = trellis_status(TRELLIS_INVALID)

    /// `text` as a string, or `nil` after logging, when it is not valid UTF-8: what a plugin
    /// writes is refused rather than repaired, so corruption is seen where it happens.
    func validated(_ text: trellis_string, _ what: @autoclosure () -> String) -> String? {
        if let string = text.validatedString { return string }
        PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                        "\(what()): not valid UTF-8 (\(text.length) bytes); refused with TRELLIS_INVALID")
        return nil
    }

    // MARK: Node

    func nodeAttribute(_ name: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        guard let raw = request.node.attribute(name.swiftString) else { return Self.notFound }
        out?.pointee = lend(raw)
        return Self.ok
    }

    /// A node attribute read as a type (ABI 1.2's typed getters): `read` parses the value;
    /// `nil` from it means the attribute holds something else.
    func typedAttribute<Value>(_ name: trellis_string, into out: UnsafeMutablePointer<Value>?,
                               _ read: (AttributeValue) -> Value?) -> trellis_status {
        guard let key = validated(name, "node attribute name") else { return Self.invalid }
        guard let value = request.node.attributes[key] else { return Self.notFound }
        guard let parsed = read(value) else { return Self.wrongType }
        out?.pointee = parsed
        return Self.ok
    }

    // MARK: Context reads

    func valueType(_ key: trellis_string) -> Int32 {
        switch request.context[key.swiftString] {
        case nil: return Int32(TRELLIS_VALUE_NONE)
        case .string: return Int32(TRELLIS_VALUE_STRING)
        case .integer: return Int32(TRELLIS_VALUE_INTEGER)
        case .double: return Int32(TRELLIS_VALUE_DOUBLE)
        case .boolean: return Int32(TRELLIS_VALUE_BOOLEAN)
        case .list, .messages: return Int32(TRELLIS_VALUE_LIST)
        case .map: return Int32(TRELLIS_VALUE_MAP)
        case .null: return Int32(TRELLIS_VALUE_NULL)
        }
    }

    func getString(_ key: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .string(let text):
            out?.pointee = lend(text)
            return Self.ok
        default: return Self.wrongType
        }
    }

    func getInteger(_ key: trellis_string, into out: UnsafeMutablePointer<Int64>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .integer(let number):
            out?.pointee = Int64(number)
            return Self.ok
        default: return Self.wrongType
        }
    }

    func getDouble(_ key: trellis_string, into out: UnsafeMutablePointer<Double>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .double(let number):
            out?.pointee = number
            return Self.ok
        case .integer(let number):
            out?.pointee = Double(number)
            return Self.ok
        default: return Self.wrongType
        }
    }

    func getBoolean(_ key: trellis_string, into out: UnsafeMutablePointer<Bool>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .boolean(let flag):
            out?.pointee = flag
            return Self.ok
        default: return Self.wrongType
        }
    }

    func getJSON(_ key: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        guard let value = request.context[key.swiftString] else { return Self.notFound }
        out?.pointee = lend(value.jsonText)
        return Self.ok
    }

    func listCount(_ key: trellis_string) -> Int64 {
        switch request.context[key.swiftString] {
        case nil: return 0
        case let value?: return value.listCount.map(Int64.init) ?? -1
        }
    }

    func listItemJSON(_ key: trellis_string, index: Int64, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .list(let items):
            guard index >= 0, index < Int64(items.count) else { return Self.notFound }
            out?.pointee = lend(items[Int(index)].jsonText)
            return Self.ok
        case .messages(let messages):
            guard index >= 0, index < Int64(messages.count) else { return Self.notFound }
            out?.pointee = lend(messages[Int(index)].jsonText)
            return Self.ok
        default: return Self.wrongType
        }
    }

    /// `context_list_item_string` (ABI 1.4): one string inside item `index` of a list, lent
    /// without the item's JSON.
    func listItemString(_ key: trellis_string, index: Int64, field: trellis_string,
                                 into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        let item: ContextValue
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .list(let items):
            guard index >= 0, index < Int64(items.count) else { return Self.notFound }
            item = items[Int(index)]
        case .messages(let messages):
            guard index >= 0, index < Int64(messages.count) else { return Self.notFound }
            item = messages[Int(index)]
        default: return Self.wrongType
        }
        let value: ContextValue
        if field.length == 0 {
            value = item
        } else {
            guard case .map(let entries) = item else { return Self.wrongType }
            guard let entry = entries[field.swiftString] else { return Self.notFound }
            value = entry
        }
        guard case .string(let text) = value else { return Self.wrongType }
        out?.pointee = lend(text)
        return Self.ok
    }

    /// `context_map_string` (ABI 1.4): one string field of a map, lent without the map's JSON.
    func mapString(_ key: trellis_string, field: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .map(let entries):
            switch entries[field.swiftString] {
            case nil: return Self.notFound
            case .string(let text):
                out?.pointee = lend(text)
                return Self.ok
            default: return Self.wrongType
            }
        default: return Self.wrongType
        }
    }

    /// The conversation the ABI's message accessors read (`session.messages`).
    static let messagesKey = SessionContextKeys.messages

    func messagesCount() -> Int64 {
        Int64(request.context[Self.messagesKey]?.listCount ?? 0)
    }

    func message(at index: Int64, role: UnsafeMutablePointer<trellis_string>?, content: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        let message: ContextValue
        switch request.context[Self.messagesKey] {
        case .messages(let messages)?:
            guard index >= 0, index < Int64(messages.count) else { return Self.notFound }
            // A session's own history: role and content straight from its buffer, no map built.
            if let found = messages.roleAndContent(at: Int(index)) {
                role?.pointee = lend(found.role)
                content?.pointee = lend(found.content)
                return Self.ok
            }
            message = messages[Int(index)]
        case .list(let items)?:
            guard index >= 0, index < Int64(items.count) else { return Self.notFound }
            message = items[Int(index)]
        default:
            return Self.notFound
        }
        guard case .map(let fields) = message else { return Self.wrongType }
        role?.pointee = lend(fields["role"]?.stringValue ?? "")
        content?.pointee = lend(fields["content"]?.stringValue ?? "")
        return Self.ok
    }

    // MARK: Context writes and outcome

    mutating func set(_ key: trellis_string, _ value: ContextValue) -> trellis_status {
        if isFinished { return Self.unavailable }
        guard let name = validated(key, "context key") else { return Self.invalid }
        reserveUpdates()
        updates[name] = value
        return Self.ok
    }

    mutating func setString(_ key: trellis_string, _ value: trellis_string) -> trellis_status {
        if isFinished { return Self.unavailable }
        guard let text = validated(value, "context_set_string value") else { return Self.invalid }
        return set(key, .string(text))
    }

    /// Sets an outcome text field through `assign` after validating `text`.
    mutating func setText(_ text: trellis_string, _ what: String, _ assign: (inout CallState, String) -> Void) -> trellis_status {
        if isFinished { return Self.unavailable }
        guard let string = validated(text, what) else { return Self.invalid }
        assign(&self, string)
        return Self.ok
    }

    mutating func setJSON(_ key: trellis_string, _ json: trellis_string) -> trellis_status {
        if isFinished { return Self.unavailable }
        guard let name = validated(key, "context key"), let text = validated(json, "context_set_json('\(key.swiftString)')") else { return Self.invalid }
        do throws(ContextValueJSONError) {
            let value = try ContextValue(jsonText: text)
            reserveUpdates()
            updates[name] = value
            return Self.ok
        } catch {
            PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                            "context_set_json('\(key.swiftString)'): not valid JSON: \(error.reason); the key is left unchanged")
            return trellis_status(TRELLIS_ERROR)
        }
    }

    mutating func setOutcomeStatus(_ code: Int32) -> trellis_status {
        if isFinished { return Self.unavailable }
        switch code {
        case Int32(TRELLIS_OUTCOME_SUCCESS): statusOverride = .success
        case Int32(TRELLIS_OUTCOME_PARTIAL_SUCCESS): statusOverride = .partialSuccess
        case Int32(TRELLIS_OUTCOME_RETRY): statusOverride = .retry
        case Int32(TRELLIS_OUTCOME_FAIL): statusOverride = .fail
        case Int32(TRELLIS_OUTCOME_SKIPPED): statusOverride = .skipped
        default:
            PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                            "outcome_set_status(\(code)): not a TRELLIS_OUTCOME_* value; ignored")
            return trellis_status(TRELLIS_ERROR)
        }
        return Self.ok
    }

    /// Event kinds the host itself emits; a plugin may not forge them.
    static let reservedEventKinds: Set<String> = Set(RunEvent.Kind.allHostKinds.map(\.rawValue))
    /// Field keys the host sets on every plugin event.
    static let reservedEventKeys: Set<String> = ["plugin", "node", "kind", "time", "run"]

    func emitEvent(kind: trellis_string, fieldsJSON: trellis_string) -> trellis_status {
        if isFinished { return Self.unavailable }
        guard let name = validated(kind, "emit_event kind"), let text = validated(fieldsJSON, "emit_event fields") else { return Self.invalid }
        guard Self.isEventKind(name), !Self.reservedEventKinds.contains(name) else {
            PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                            "emit_event('\(name)'): " + (Self.isEventKind(name)
                                ? "the host emits events of that kind itself; choose another kind (a plugin prefix such as '\(type.pluginID)_...' is safe)"
                                : "a kind is snake_case: lowercase letters, digits and '_', starting with a letter, at most 64 bytes")
                            + "; refused with TRELLIS_INVALID")
            return Self.invalid
        }
        var fields: [String: ContextValue] = [:]
        if !text.isEmpty {
            guard case .map(let parsed)? = try? ContextValue(jsonText: text) else {
                PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                                "emit_event('\(name)'): fields are not a JSON object; event not emitted")
                return trellis_status(TRELLIS_ERROR)
            }
            if let reserved = parsed.keys.sorted().first(where: Self.reservedEventKeys.contains) {
                PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                                "emit_event('\(name)'): field '\(reserved)' is reserved (the host sets \(Self.reservedEventKeys.sorted().joined(separator: ", "))); refused with TRELLIS_INVALID")
                return Self.invalid
            }
            fields = parsed
        }
        fields["plugin"] = .string(type.pluginID)
        request.services.events.emit(RunEvent(RunEvent.Kind(rawValue: name), nodeID: request.node.id, fields: fields))
        return Self.ok
    }

    private static func isEventKind(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}
