import CTrellisPlugin
import TrellisEngine

/// A plugin's LLM adapter as the engine's `LLMAdapter`: requests cross the ABI as JSON.
/// (The plugin side of the same adapter is TrellisPluginKit's `PluginLLMAdapter` protocol.)
struct PluginLLMBridge: LLMAdapter {
    let function: PluginAdapterFunctions

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let json = LLMRequestJSON.encode(request)
        let answer = try await function.perform("llm_complete") { state, handle in
            withTrellisString(json) { function.adapter.llm_complete(state, $0, handle) }
        }
        return try LLMRequestJSON.decodeResponse(answer, from: function.qualifiedName)
    }
}
