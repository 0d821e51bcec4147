import CTrellisPlugin
import TrellisEngine

/// The function table of a plugin-provided adapter, copied at registration.
///
/// `@unchecked Sendable`: immutable; the pointers belong to an image that is never unloaded,
/// and the ABI requires adapter operations to be callable concurrently from any thread.
struct PluginAdapterFunctions: @unchecked Sendable {
    typealias CancelFunction = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Void

    let kind: PluginAdapter.Kind
    let pluginID: String
    let name: String
    let adapter: trellis_adapter
    /// "plugin '<id>' (<file>), adapter '<id>.<name>'", for crash reports.
    let crashOrigin: CrashOrigin
    /// The plugin's activation once a generation serves the adapter: each pending operation
    /// holds it, so the plugin is not retired while it may still reply.
    var lease: PluginActivation?

    var qualifiedName: String { pluginID + "." + name }

    /// Whether the plugin reads an LLM request's messages through the reply accessors
    /// (`TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR`; the registrar zeroes `flags` for a 1.0 struct).
    var messagesByAccessor: Bool { adapter.flags & UInt32(TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR) != 0 }

    /// Whether the plugin reads an LLM request through `reply_llm_request` rather than JSON
    /// (`TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR`, ABI 1.3).
    var requestByAccessor: Bool { adapter.flags & UInt32(TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR) != 0 }

    /// The description of `operation` in messages (`llm_complete of adapter 'acme.llm'`).
    func describe(_ operation: String) -> String { "\(operation) of adapter '\(qualifiedName)'" }

    /// A pending operation of this adapter; for llm_complete with its request.
    func reply(_ operation: StaticString, llmRequest: LLMRequest? = nil, memoryEntry: [String: ContextValue]? = nil) -> PluginReply {
        PluginReply(operation: operation, adapterName: qualifiedName, pluginID: pluginID, crashOrigin: crashOrigin, llmRequest: llmRequest,
                    messagesByAccessor: messagesByAccessor, memoryEntry: memoryEntry, lease: lease)
    }

    /// Runs one operation: `start` calls the plugin's function with the reply handle, and the
    /// answer comes back as the plugin gave it. `reply` is the pending operation when the
    /// caller needs one of its own (an LLM request); by default a plain one.
    func perform(_ operation: StaticString, reply: PluginReply? = nil,
                 _ start: (UnsafeMutableRawPointer?, OpaquePointer) -> trellis_status) async throws -> PluginAnswer {
        let reply = reply ?? self.reply(operation)
        return try await reply.perform(self) { handle in start(adapter.state, handle) }
    }

    /// Runs one operation answered with JSON (memory and tools adapters).
    func performJSON(_ operation: StaticString, reply: PluginReply? = nil,
                     _ start: (UnsafeMutableRawPointer?, OpaquePointer) -> trellis_status) async throws -> ContextValue {
        try json(try await perform(operation, reply: reply, start), of: operation)
    }

    /// The JSON value of an answer to `operation` (memory and tools adapters).
    func json(_ answer: PluginAnswer, of operation: StaticString) throws -> ContextValue {
        switch answer {
        case .json(let text):
            do {
                return try ContextValue(jsonText: text)
            } catch {
                throw PluginAdapterError(message: "\(operation) of adapter '\(qualifiedName)' answered text that is not JSON: \(error.reason)")
            }
        case .llm:
            // adapter_reply_llm refuses operations other than llm_complete, so this cannot be reached.
            throw PluginAdapterError(message: "\(operation) of adapter '\(qualifiedName)' was answered as an LLM completion")
        }
    }
}
