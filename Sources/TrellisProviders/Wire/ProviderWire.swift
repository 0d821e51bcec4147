import TrellisEngine

/// One provider's wire protocol: how a conversation becomes an HTTP request, and how plain
/// answers, streamed events and error bodies are read back.
protocol ProviderWire: Sendable {
    /// The request for `conversation`, streamed (server-sent events) or not.
    func request(for conversation: Conversation, settings: ProviderSettings, stream: Bool) -> HTTPRequest
    /// A non-streamed answer body.
    func reply(from body: ContextValue) throws(WireFormatError) -> LLMResponse
    /// Applies one streamed event to `assembly`; returns the text it added, in order. Throws
    /// when the event is an error the server reports inside the stream.
    func consume(_ event: ServerSentEvent, into assembly: inout StreamAssembly) throws(WireFormatError) -> [String]
    /// The message of an error body, in the provider's own words, when it has the provider's shape.
    func errorMessage(from body: ContextValue) -> String?
    /// Whether a complete stream ends with an explicit marker (OpenAI `[DONE]`, Anthropic
    /// `message_stop`); Gemini's stream simply ends.
    var streamHasEndMarker: Bool { get }
}

extension ProviderWire {
    /// JSON body bytes of a request.
    static func body(_ value: ContextValue) -> [UInt8] { Array(value.jsonText.utf8) }
}
