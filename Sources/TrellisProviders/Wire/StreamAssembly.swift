import TrellisEngine

/// A streamed answer put back together: text pieces in order, tool calls whose arguments
/// arrive as pieces of JSON text keyed by position, usage from wherever the protocol sends it.
struct StreamAssembly {
    private struct PendingCall {
        var id = ""
        var name = ""
        var argumentText = ""
        var arguments: ContextValue?
    }

    private(set) var text = ""
    private var calls: [Int: PendingCall] = [:]
    var usage = LLMUsage()
    var stopReason: String?
    /// Whether the protocol's end marker arrived; a stream that ends without it was cut.
    var finished = false

    /// How many tool calls have begun (the next call's position, for protocols without one).
    var callCount: Int { calls.count }

    mutating func appendText(_ piece: String) { text += piece }

    /// Starts or updates the call at `index`.
    mutating func call(at index: Int, id: String? = nil, name: String? = nil, argumentPiece: String? = nil,
                       arguments: ContextValue? = nil) {
        var call = calls[index] ?? PendingCall()
        if let id, !id.isEmpty { call.id = id }
        if let name, !name.isEmpty { call.name = name }
        if let argumentPiece { call.argumentText += argumentPiece }
        if let arguments { call.arguments = arguments }
        calls[index] = call
    }

    /// The finished reply; argument texts are parsed only now, when every piece is in.
    func reply() throws(WireFormatError) -> LLMResponse {
        var toolCalls: [ContextValue] = []
        for index in calls.keys.sorted() {
            let call = calls[index]!
            let arguments: ContextValue
            if let whole = call.arguments {
                arguments = whole
            } else {
                arguments = try Self.arguments(fromJSON: call.argumentText, tool: call.name)
            }
            toolCalls.append(ToolCallForm.make(id: call.id.isEmpty ? "call_\(index)" : call.id, name: call.name, arguments: arguments))
        }
        return LLMResponse(content: text, toolCalls: toolCalls, usage: usage, stopReason: stopReason)
    }

    /// A tool call's arguments from their JSON text (empty text is no arguments).
    static func arguments(fromJSON text: String, tool: String) throws(WireFormatError) -> ContextValue {
        if text.allSatisfy(\.isWhitespace) { return .map([:]) }
        do {
            return try ContextValue(jsonText: text)
        } catch {
            throw WireFormatError("the arguments of tool call '\(tool)' are not JSON (\(error.reason)): \(text.prefix(200))")
        }
    }
}

/// The neutral form of tool calls and of the messages around them, shared by every wire.
///
/// - A tool call: `{id, name, arguments}` (`arguments` a map).
/// - An assistant message that asked for tools: `{role: assistant, content, tool_calls: [...]}`.
/// - A tool result: `{role: tool, tool_call_id, name, content, is_error?}`.
enum ToolCallForm {
    static func make(id: String, name: String, arguments: ContextValue) -> ContextValue {
        .map(["id": .string(id), "name": .string(name), "arguments": arguments])
    }
}
