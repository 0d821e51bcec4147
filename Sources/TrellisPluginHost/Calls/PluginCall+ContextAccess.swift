import CTrellisPlugin
import TrellisEngine

/// The host API's node, context and outcome functions, on the call they concern.
extension CallState {
    private static let ok = trellis_status(TRELLIS_OK)
    private static let notFound = trellis_status(TRELLIS_NOT_FOUND)
    private static let wrongType = trellis_status(TRELLIS_WRONG_TYPE)
    private static let unavailable = trellis_status(TRELLIS_UNAVAILABLE)

    // MARK: Node

    mutating func nodeAttribute(_ name: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        guard let raw = request.node.attribute(name.swiftString) else { return Self.notFound }
        out?.pointee = lend(raw)
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
        case .list: return Int32(TRELLIS_VALUE_LIST)
        case .map: return Int32(TRELLIS_VALUE_MAP)
        case .null: return Int32(TRELLIS_VALUE_NULL)
        }
    }

    mutating func getString(_ key: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
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

    mutating func getJSON(_ key: trellis_string, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        guard let value = request.context[key.swiftString] else { return Self.notFound }
        out?.pointee = lend(value.jsonText)
        return Self.ok
    }

    func listCount(_ key: trellis_string) -> Int64 {
        switch request.context[key.swiftString] {
        case nil: return 0
        case .list(let items): return Int64(items.count)
        default: return -1
        }
    }

    mutating func listItemJSON(_ key: trellis_string, index: Int64, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        switch request.context[key.swiftString] {
        case nil: return Self.notFound
        case .list(let items):
            guard index >= 0, index < Int64(items.count) else { return Self.notFound }
            out?.pointee = lend(items[Int(index)].jsonText)
            return Self.ok
        default: return Self.wrongType
        }
    }

    /// The conversation the ABI's message accessors read (`session.messages`).
    static let messagesKey = SessionContextKeys.messages

    func messagesCount() -> Int64 {
        if case .list(let items) = request.context[Self.messagesKey] { return Int64(items.count) }
        return 0
    }

    mutating func message(at index: Int64, role: UnsafeMutablePointer<trellis_string>?, content: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        guard case .list(let items) = request.context[Self.messagesKey] else { return Self.notFound }
        guard index >= 0, index < Int64(items.count) else { return Self.notFound }
        guard case .map(let fields) = items[Int(index)] else { return Self.wrongType }
        role?.pointee = lend(fields["role"]?.stringValue ?? "")
        content?.pointee = lend(fields["content"]?.stringValue ?? "")
        return Self.ok
    }

    // MARK: Context writes and outcome

    /// Runs `body` unless the call has completed.
    @inline(__always)
    mutating func write(_ body: (inout CallState) -> trellis_status) -> trellis_status {
        if isFinished { return Self.unavailable }
        return body(&self)
    }

    mutating func set(_ key: trellis_string, _ value: ContextValue) -> trellis_status {
        if isFinished { return Self.unavailable }
        updates[key.swiftString] = value
        return Self.ok
    }

    mutating func setJSON(_ key: trellis_string, _ json: trellis_string) -> trellis_status {
        if isFinished { return Self.unavailable }
        do throws(ContextValueJSONError) {
            updates[key.swiftString] = try ContextValue(jsonText: json.swiftString)
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

    func emitEvent(kind: trellis_string, fieldsJSON: trellis_string) -> trellis_status {
        if isFinished { return Self.unavailable }
        var fields: [String: ContextValue] = [:]
        if fieldsJSON.length > 0 {
            guard case .map(let parsed)? = try? ContextValue(jsonText: fieldsJSON.swiftString) else {
                PluginLog.write(.warning, plugin: type.pluginID, node: request.node.id,
                                "emit_event('\(kind.swiftString)'): fields are not a JSON object; event not emitted")
                return trellis_status(TRELLIS_ERROR)
            }
            fields = parsed
        }
        fields["plugin"] = .string(type.pluginID)
        request.services.events.emit(RunEvent(RunEvent.Kind(rawValue: kind.swiftString), nodeID: request.node.id, fields: fields))
        return Self.ok
    }
}
