import CTrellisPlugin
import TrellisEngine

/// A plugin's tools adapter as the engine's `ToolsAdapter`.
/// (The plugin side is TrellisPluginKit's `PluginToolsAdapter` protocol.)
struct PluginToolsBridge: ToolsAdapter {
    let function: PluginAdapterFunctions

    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        let json = ContextValue.list(calls).jsonText
        let answer = try await function.performJSON("tools_dispatch") { state, handle in
            withTrellisString(json) { function.adapter.tools_dispatch(state, $0, handle) }
        }
        guard case .list(let results) = answer else {
            throw PluginAdapterError(message: "tools_dispatch of adapter '\(function.qualifiedName)' answered \(answer.jsonText), expected a JSON list")
        }
        return results
    }
}
