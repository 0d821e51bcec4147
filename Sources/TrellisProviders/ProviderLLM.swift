import Foundation
import Synchronization
import TrellisEngine

/// The engine's `LLMAdapter` over a model server's native protocol: OpenAI chat completions
/// (and every compatible server), Anthropic Messages or Gemini.
///
/// Failures are retried by `settings.retry` (408, 409, 429, 5xx and broken connections; never
/// 400, 401, 403, 404), each attempt bounded by `settings.requestTimeout`; cancelling the
/// calling task cancels the request. A streamed answer whose text has already been relayed is
/// not retried: the listener has seen it, so a cut stream is an error.
public struct ProviderLLM: LLMAdapter {
    /// Where and how to reach the model.
    public let settings: ProviderSettings
    private let client: HTTPClient
    private let wire: any ProviderWire

    /// An adapter for `settings`, sharing `client`'s connections; without one, the process's
    /// shared client for `settings.extraCAFile` (`HTTPClient.shared(trusting:)`).
    public init(settings: ProviderSettings, client: HTTPClient? = nil) {
        self.settings = settings
        self.client = client ?? HTTPClient.shared(trusting: settings.extraCAFile)
        switch settings.kind {
        case .openai: wire = OpenAIChatWire()
        case .anthropic: wire = AnthropicMessagesWire()
        case .gemini: wire = GeminiWire()
        }
    }

    /// `openai gpt-5.4 at https://api.openai.com/v1` (never the key).
    public var summary: String { settings.description }

    /// Completes `request`, streamed when it has an `onDelta` sink.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        try await reply(to: Conversation(request, defaultModel: settings.model), onText: request.onDelta)
    }

    /// Sends `conversation` and returns the whole answer. With `onText`, the answer is
    /// streamed and each piece of text is passed to `onText` as it arrives; the reply's
    /// content is then exactly the concatenation of the pieces.
    public func reply(to conversation: Conversation, onText: (@Sendable (String) -> Void)?) async throws(ProviderError) -> LLMResponse {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            let relayed = RelayCounter()
            let failure: AttemptFailure
            do {
                return try await self.attempt(conversation, onText: onText.map { forward in
                    { @Sendable piece in relayed.mark(); forward(piece) }
                })
            } catch {
                failure = error
            }
            var error = failure.error
            error.attempts = attempt
            guard failure.retryable, !relayed.any, attempt < settings.retry.maxAttempts, !Task.isCancelled else { throw error }
            let wait = settings.retry.delay(afterAttempt: attempt, headers: failure.headers)
            guard ContinuousClock.now + wait - started <= settings.retry.maxTotalTime else { throw error }
            do { try await Task.sleep(for: wait) } catch { throw ProviderError(provider: settings.kind, message: "cancelled", attempts: attempt) }
        }
    }

    /// Why one attempt failed, and whether another may succeed.
    private struct AttemptFailure: Error {
        var error: ProviderError
        var retryable: Bool
        var headers: [String: String] = [:]
    }

    private func attempt(_ conversation: Conversation, onText: (@Sendable (String) -> Void)?) async throws(AttemptFailure) -> LLMResponse {
        let request = wire.request(for: conversation, settings: settings, stream: onText != nil)
        let head: HTTPResponseHead
        let body: AsyncThrowingStream<[UInt8], any Error>
        do {
            (head, body) = try await client.stream(request)
        } catch {
            throw AttemptFailure(error: fail(message: error.description), retryable: error.isRetryable)
        }
        let isEventStream = head.headers["content-type"]?.lowercased().contains("text/event-stream") ?? false
        guard (200..<300).contains(head.status), onText != nil, isEventStream else {
            let bytes = try await collect(body)
            guard (200..<300).contains(head.status) else {
                throw AttemptFailure(error: fail(status: head.status, message: errorMessage(status: head.status, body: bytes)),
                                     retryable: RetryPolicy.isRetryable(status: head.status), headers: head.headers)
            }
            return try decode(bytes, onText: onText)
        }
        var parser = ServerSentEventParser()
        var assembly = StreamAssembly()
        do {
            for try await chunk in body {
                for event in parser.feed(chunk) {
                    for piece in try wire.consume(event, into: &assembly) { onText?(piece) }
                }
            }
        } catch let error as WireFormatError {
            throw AttemptFailure(error: fail(message: error.description), retryable: false)
        } catch let error as HTTPError {
            throw AttemptFailure(error: fail(message: "the stream broke off: \(error.description)"), retryable: error.isRetryable)
        } catch {
            throw AttemptFailure(error: fail(message: "the stream broke off: \(error)"), retryable: true)
        }
        if wire.streamHasEndMarker ? !assembly.finished : parser.hasPartialEvent {
            throw AttemptFailure(error: fail(message: "the stream ended before its end marker: the answer is incomplete"), retryable: true)
        }
        do { return try assembly.reply() } catch {
            throw AttemptFailure(error: fail(message: error.description), retryable: false)
        }
    }

    /// A plain JSON answer (also what a server that ignores `stream` sends).
    private func decode(_ bytes: [UInt8], onText: (@Sendable (String) -> Void)?) throws(AttemptFailure) -> LLMResponse {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            let reply = try wire.reply(from: try ContextValue(jsonText: text))
            if !reply.content.isEmpty { onText?(reply.content) }
            return reply
        } catch let error as WireFormatError {
            throw AttemptFailure(error: fail(message: error.description), retryable: false)
        } catch {
            throw AttemptFailure(error: fail(message: "the answer is not JSON: \(Self.excerpt(text))"), retryable: false)
        }
    }

    private func collect(_ body: AsyncThrowingStream<[UInt8], any Error>) async throws(AttemptFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body { bytes += chunk }
            // A cancelled reader's stream just ends: what was read is not the whole answer.
            if Task.isCancelled { throw HTTPError.cancelled }
        } catch {
            let description = (error as? HTTPError)?.description ?? String(describing: error)
            throw AttemptFailure(error: fail(message: "the answer broke off: \(description)"), retryable: (error as? HTTPError)?.isRetryable ?? true)
        }
        return bytes
    }

    /// The provider's own message for an error status, else an excerpt of the body.
    private func errorMessage(status: Int, body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        if let json = try? ContextValue(jsonText: text), let message = wire.errorMessage(from: json) { return message }
        return text.isEmpty ? "an empty answer with status \(status)" : Self.excerpt(text)
    }

    /// An error whose message cannot carry the key, even where a server echoes it back.
    private func fail(status: Int? = nil, message: String) -> ProviderError {
        var message = message
        if let key = settings.apiKey, !key.isEmpty { message = message.replacingOccurrences(of: key, with: "[redacted]") }
        return ProviderError(provider: settings.kind, status: status, message: message)
    }

    private static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }
}

/// Whether any streamed text reached the listener during one attempt.
private final class RelayCounter: Sendable {
    private let count = Mutex(0)
    func mark() { count.withLock { $0 += 1 } }
    var any: Bool { count.withLock { $0 > 0 } }
}
