import Foundation
import Synchronization

/// The state of one request between the `URLSession` delegate (Foundation's thread) and the
/// caller's task: the continuation waiting for the head, the body stream, and why it ended.
final class HTTPExchange: Sendable {
    private struct State {
        var head: CheckedContinuation<HTTPResponseHead, any Error>?
        var headDelivered = false
        var ending: HTTPError?
        var earlyFailure: (any Error)?
        var finished = false
    }

    private let state = Mutex(State())
    private let body: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let timeout: Duration

    init(body: AsyncThrowingStream<[UInt8], any Error>.Continuation, timeout: Duration) {
        self.body = body
        self.timeout = timeout
    }

    /// Parks the caller until the head (or a failure) arrives.
    func awaitHead(_ continuation: CheckedContinuation<HTTPResponseHead, any Error>) {
        let failure: (any Error)? = state.withLock { state in
            if let early = state.earlyFailure { return early }
            state.head = continuation
            return nil
        }
        if let failure { continuation.resume(throwing: failure) }
    }

    /// The deadline passed: the cancellation that follows is a timeout, not the caller's.
    /// Returns whether the request was still running (and so must be cancelled).
    func timedOut() -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            if state.ending == nil { state.ending = .timedOut(timeout) }
            return true
        }
    }

    /// The caller cancelled.
    func cancelled() { state.withLock { if $0.ending == nil { $0.ending = .cancelled } } }

    /// The response head arrived.
    func received(_ head: HTTPResponseHead) {
        let waiting = state.withLock { state -> CheckedContinuation<HTTPResponseHead, any Error>? in
            state.headDelivered = true
            defer { state.head = nil }
            return state.head
        }
        waiting?.resume(returning: head)
    }

    /// A piece of the body arrived.
    func received(_ data: Data) { body.yield([UInt8](data)) }

    /// The request ended, with `error` when it did not complete.
    func completed(_ error: (any Error)?) {
        let (waiting, failure) = state.withLock { state -> (CheckedContinuation<HTTPResponseHead, any Error>?, HTTPError?) in
            state.finished = true
            let failure: HTTPError? = error.map { error in
                if let ending = state.ending { return ending }
                return .connection(Self.describe(error))
            }
            let waiting = state.head
            state.head = nil
            if !state.headDelivered, waiting == nil, let failure { state.earlyFailure = failure }
            return (waiting, failure)
        }
        if let waiting {
            waiting.resume(throwing: failure ?? HTTPError.connection("the server closed the connection before answering"))
        }
        if let failure { body.finish(throwing: failure) } else { body.finish() }
    }

    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain {
            switch nsError.code {
            case NSURLErrorCannotConnectToHost: return "could not connect to the server"
            case NSURLErrorNetworkConnectionLost: return "the connection was lost before the response ended"
            case NSURLErrorTimedOut: return "the server stopped answering"
            case NSURLErrorCannotFindHost: return "unknown host"
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
