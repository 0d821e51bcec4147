import CTrellisPlugin
import TrellisEngine

/// A plugin's LLM adapter as the engine's `LLMAdapter`.
/// (The plugin side of the same adapter is TrellisPluginKit's `PluginLLMAdapter` protocol.)
///
/// The request crosses as JSON, or, when the adapter set `TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR`
/// (ABI 1.3), is read by the plugin with `reply_llm_request` from the reply object, which holds
/// the request itself; the messages cross by accessor when it set
/// `TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR` (ABI 1.1). The answer comes back as JSON
/// (`adapter_reply`) or typed (`adapter_reply_llm`, ABI 1.3), whichever the plugin chose.
/// Deltas reach the request's sink through `reply_delta`.
struct PluginLLMBridge: LLMAdapter {
    let function: PluginAdapterFunctions

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let json = requestJSON(request)
        let reply = function.reply("llm_complete", llmRequest: request)
        let answer = try await function.perform("llm_complete", reply: reply) { state, handle in
            withTrellisString(json) { function.adapter.llm_complete(state, $0, handle) }
        }
        return try response(to: request, from: answer, streamed: reply.streamedText)
    }

    /// `complete` without a task of its own: `then` receives the response on the thread that
    /// answers. For a node's request through `trellis.llm/1` (no delta sink), which is already
    /// waiting in a task of the plugin's; sparing a host task and its continuation per call.
    func start(_ request: LLMRequest, then: @escaping @Sendable (Result<LLMResponse, any Error>) -> Void) {
        let json = requestJSON(request)
        let reply = function.reply("llm_complete", llmRequest: request)
        reply.start({ handle in
            withTrellisString(json) { function.adapter.llm_complete(function.adapter.state, $0, handle) }
        }, then: { [function] answer in
            then(Result { try PluginLLMBridge(function: function).response(to: request, from: answer.get(), streamed: reply.streamedText) })
        })
    }

    /// The request's JSON text, or nothing for an adapter that reads it by accessor.
    private func requestJSON(_ request: LLMRequest) -> String {
        function.requestByAccessor ? "" : LLMRequestJSON.encode(request, includingMessages: !function.messagesByAccessor)
    }

    /// The response the plugin's answer makes, checked against what it streamed.
    private func response(to request: LLMRequest, from answer: PluginAnswer, streamed: @autoclosure () -> String?) throws -> LLMResponse {
        var response: LLMResponse
        var contentGiven = true
        switch answer {
        case .llm(let typed):
            response = typed
        case .json(let text):
            let value: ContextValue
            do { value = try ContextValue(jsonText: text) } catch {
                throw PluginAdapterError(message: "\(function.describe("llm_complete")) answered text that is not JSON: \(error.reason)")
            }
            response = try LLMRequestJSON.decodeResponse(value, from: function.qualifiedName)
            contentGiven = value["content"] != nil
        }
        guard let onDelta = request.onDelta else { return response }
        // The engine's contract: with a delta sink, the content is exactly the concatenation
        // of the pieces. A plugin that did not stream (a 1.0 plugin) gets its whole answer
        // passed on as one piece; one that streamed may leave `content` out of its JSON.
        guard let streamed = streamed() else {
            if !response.content.isEmpty { onDelta(response.content) }
            return response
        }
        if !contentGiven {
            response.content = streamed
        } else if response.content != streamed {
            throw PluginAdapterError(message: "\(function.describe("llm_complete")) streamed \(streamed.utf8.count) bytes of text but replied with a content of \(response.content.utf8.count) bytes that differs from them; the content must equal the concatenation of the deltas (or be left out)")
        }
        return response
    }
}
