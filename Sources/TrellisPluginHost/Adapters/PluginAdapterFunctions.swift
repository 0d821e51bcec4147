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

    var qualifiedName: String { pluginID + "." + name }

    /// Runs one operation: `start` calls the plugin's function with the reply handle; the
    /// answer's JSON text is returned.
    func perform(_ operation: String, _ start: (UnsafeMutableRawPointer?, OpaquePointer) -> trellis_status) async throws -> ContextValue {
        let reply = PluginReply(description: "\(operation) of adapter '\(qualifiedName)'", pluginID: pluginID)
        let text = try await reply.perform(self) { handle in start(adapter.state, handle) }
        do {
            return try ContextValue(jsonText: text)
        } catch {
            throw PluginAdapterError(message: "\(operation) of adapter '\(qualifiedName)' answered text that is not JSON: \(error.reason)")
        }
    }
}
