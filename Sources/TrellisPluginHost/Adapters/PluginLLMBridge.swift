import CTrellisPlugin
import TrellisEngine

/// A plugin's LLM adapter as the engine's `LLMAdapter`: requests cross the ABI as JSON.
/// (The plugin side of the same adapter is TrellisPluginKit's `PluginLLMAdapter` protocol.)
///
/// Since ABI 1.1 the reply object also carries the request's messages (read by accessor when
/// the adapter set `TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR`, so they are not encoded at all) and
/// its delta sink (fed by `reply_delta`).
struct PluginLLMBridge: LLMAdapter {
    let function: PluginAdapterFunctions

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let json = LLMRequestJSON.encode(request, includingMessages: !function.messagesByAccessor)
        let reply = PluginReply(description: function.describe("llm_complete"), pluginID: function.pluginID,
                                messages: request.messages, onDelta: request.onDelta, lease: function.lease)
        let answer = try await function.perform("llm_complete", reply: reply) { state, handle in
            withTrellisString(json) { function.adapter.llm_complete(state, $0, handle) }
        }
        var response = try LLMRequestJSON.decodeResponse(answer, from: function.qualifiedName)
        guard let onDelta = request.onDelta else { return response }
        // The engine's contract: with a delta sink, the content is exactly the concatenation
        // of the pieces. A plugin that did not stream (a 1.0 plugin) gets its whole answer
        // passed on as one piece; one that streamed may leave `content` out.
        guard let streamed = reply.streamedText else {
            if !response.content.isEmpty { onDelta(response.content) }
            return response
        }
        if answer["content"] == nil {
            response.content = streamed
        } else if response.content != streamed {
            throw PluginAdapterError(message: "\(function.describe("llm_complete")) streamed \(streamed.utf8.count) bytes of text but replied with a content of \(response.content.utf8.count) bytes that differs from them; the content must equal the concatenation of the deltas (or be left out)")
        }
        return response
    }
}
