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
    /// The plugin's activation once a generation serves the adapter: each pending operation
    /// holds it, so the plugin is not retired while it may still reply.
    var lease: PluginActivation?

    var qualifiedName: String { pluginID + "." + name }

    /// Whether the plugin reads an LLM request's messages through the reply accessors
    /// (`TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR`; the registrar zeroes `flags` for a 1.0 struct).
    var messagesByAccessor: Bool { adapter.flags & UInt32(TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR) != 0 }

    /// The description of `operation` in messages (`llm_complete of adapter 'acme.llm'`).
    func describe(_ operation: String) -> String { "\(operation) of adapter '\(qualifiedName)'" }

    /// Runs one operation: `start` calls the plugin's function with the reply handle; the
    /// answer's JSON text is returned. `reply` is the pending operation when the caller needs
    /// one of its own (an LLM request with messages and a delta sink); by default a plain one.
    func perform(_ operation: String, reply: PluginReply? = nil,
                 _ start: (UnsafeMutableRawPointer?, OpaquePointer) -> trellis_status) async throws -> ContextValue {
        let reply = reply ?? PluginReply(description: describe(operation), pluginID: pluginID, lease: lease)
        let text = try await reply.perform(self) { handle in start(adapter.state, handle) }
        do {
            return try ContextValue(jsonText: text)
        } catch {
            throw PluginAdapterError(message: "\(operation) of adapter '\(qualifiedName)' answered text that is not JSON: \(error.reason)")
        }
    }
}
