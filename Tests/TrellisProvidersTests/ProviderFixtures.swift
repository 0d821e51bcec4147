import TrellisEngine
import TrellisTestSupport
@testable import TrellisProviders

/// Canned answers in each provider's wire format, as their servers send them.
enum ProviderFixtures {
    static let key = "sk-test-SECRET-0123456789"

    static func settings(_ kind: ProviderKind, _ server: LoopbackHTTPServer, timeout: Duration = .seconds(10),
                         retry: RetryPolicy = RetryPolicy(initialDelay: .milliseconds(10))) -> ProviderSettings {
        let base = kind == .openai ? server.baseURL + "/v1" : server.baseURL
        return ProviderSettings(kind: kind, model: "test-model", baseURL: base, apiKey: key, requestTimeout: timeout, retry: retry)
    }

    /// A plain answer saying `text`, with 11 input and 7 output tokens.
    static func plain(_ kind: ProviderKind, _ text: String) -> LoopbackHTTPServer.Response {
        switch kind {
        case .openai:
            return .json(#"{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}"#)
        case .anthropic:
            return .json(#"{"id":"m1","type":"message","role":"assistant","content":[{"type":"text","text":"\#(text)"}],"stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":7}}"#)
        case .gemini:
            return .json(#"{"candidates":[{"content":{"role":"model","parts":[{"text":"\#(text)"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":7}}"#)
        }
    }

    /// The events of a streamed answer made of `pieces`, ending properly unless `cut`.
    static func streamed(_ kind: ProviderKind, _ pieces: [String], cut: Bool = false) -> LoopbackHTTPServer.Response {
        var events: [String] = []
        switch kind {
        case .openai:
            events = pieces.map { #"data: {"choices":[{"index":0,"delta":{"content":"\#($0)"}}]}"# + "\n\n" }
            if !cut {
                events.append(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n")
                events.append(#"data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7}}"# + "\n\n")
                events.append("data: [DONE]\n\n")
            }
        case .anthropic:
            events.append("event: message_start\n" + #"data: {"type":"message_start","message":{"usage":{"input_tokens":11,"output_tokens":1}}}"# + "\n\n")
            events.append("event: content_block_start\n" + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n")
            events.append("event: ping\ndata: {\"type\":\"ping\"}\n\n")
            events += pieces.map { "event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#($0)"}}"# + "\n\n" }
            if !cut {
                events.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
                events.append("event: message_delta\n" + #"data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"# + "\n\n")
                events.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            }
        case .gemini:
            events = pieces.map { #"data: {"candidates":[{"content":{"role":"model","parts":[{"text":"\#($0)"}]}}]}"# + "\n\n" }
            if !cut {
                events.append(#"data: {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":7}}"# + "\n\n")
            } else {
                events.append(#"data: {"candidates":[{"content":{"parts":[{"te"#)
            }
        }
        return .events(events, every: .milliseconds(5), cut: cut)
    }

    /// A streamed answer asking for `get_weather` with `{"city":"Paris","days":2}`, its
    /// arguments split in pieces where the protocol splits them.
    static func streamedToolCall(_ kind: ProviderKind) -> LoopbackHTTPServer.Response {
        switch kind {
        case .openai:
            return .events([
                #"data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_7","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Pa"}}]}}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\",\"days\":2}"}}]}}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"# + "\n\n",
                "data: [DONE]\n\n",
            ])
        case .anthropic:
            return .events([
                "event: message_start\n" + #"data: {"type":"message_start","message":{"usage":{"input_tokens":20,"output_tokens":1}}}"# + "\n\n",
                "event: content_block_start\n" + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_7","name":"get_weather","input":{}}}"# + "\n\n",
                "event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}"# + "\n\n",
                "event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ris\", \"days\": 2}"}}"# + "\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\n" + #"data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}"# + "\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            ])
        case .gemini:
            return .events([
                #"data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris","days":2}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":15}}"# + "\n\n",
            ])
        }
    }

    /// An error body in the provider's own shape.
    static func error(_ kind: ProviderKind, status: Int, message: String, headers: [String: String] = [:]) -> LoopbackHTTPServer.Response {
        switch kind {
        case .openai:
            return .json(#"{"error":{"message":"\#(message)","type":"invalid_request_error","code":null}}"#, status: status, headers: headers)
        case .anthropic:
            return .json(#"{"type":"error","error":{"type":"authentication_error","message":"\#(message)"}}"#, status: status, headers: headers)
        case .gemini:
            return .json(#"{"error":{"code":\#(status),"message":"\#(message)","status":"UNAUTHENTICATED"}}"#, status: status, headers: headers)
        }
    }
}
