import Glibc
import TrellisCore

/// One request between the caller's task and the event loop: the bytes to send, the
/// deadline, the continuation the caller waits on for the head, and the body stream.
///
/// The caller's side and the loop meet in `delivery` (behind `LockedValue`). The fields marked
/// "loop thread only" are read and written by the event loop's thread alone, which is what
/// makes `@unchecked Sendable` hold.
final class HTTPExchange: @unchecked Sendable {
    /// Where the request goes.
    let target: HTTPTarget
    /// The method (a `HEAD` answer has no body).
    let method: String
    /// Status line, headers and body, ready for the wire. Holds the API key: never logged.
    let requestBytes: [UInt8]
    /// Monotonic nanoseconds past which the request fails as timed out.
    let deadline: UInt64
    /// The timeout the deadline came from, for the error.
    let timeout: Duration
    private let body: AsyncThrowingStream<[UInt8], any Error>.Continuation

    private struct Delivery {
        var waiting: CheckedContinuation<HTTPResponseHead, any Error>?
        var head: HTTPResponseHead?
        var headDelivered = false
        var failure: HTTPError?
        var finished = false
    }
    private let delivery = LockedValue(Delivery())

    /// Loop thread only: where the exchange is while it runs.
    enum Place {
        case queued
        case resolving
        case waitingForConnection
        case on(HTTPConnection)
    }
    /// Loop thread only.
    var place = Place.queued
    /// Loop thread only: the exchange was already retried once on a fresh connection after a
    /// reused one turned out closed.
    var retriedOnFreshConnection = false

    init(target: HTTPTarget, method: String, requestBytes: [UInt8], timeout: Duration,
         body: AsyncThrowingStream<[UInt8], any Error>.Continuation) {
        self.target = target
        self.method = method
        self.requestBytes = requestBytes
        self.timeout = timeout
        let nanoseconds = UInt64(max(0, timeout.components.seconds)) * 1_000_000_000
            + UInt64(max(0, timeout.components.attoseconds) / 1_000_000_000)
        deadline = Self.now() &+ min(nanoseconds, UInt64(Int64.max / 2))
        self.body = body
    }

    /// The monotonic clock, in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Whether the exchange has ended (either way).
    var isFinished: Bool { delivery.withLock { $0.finished } }

    /// Parks the caller until the head (or a failure) arrives. Any thread.
    func awaitHead(_ continuation: CheckedContinuation<HTTPResponseHead, any Error>) {
        let result: Result<HTTPResponseHead, HTTPError>? = delivery.withLock { state in
            if let head = state.head {
                state.headDelivered = true
                return .success(head)
            }
            if let failure = state.failure { return .failure(failure) }
            state.waiting = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    /// The head arrived; the caller is resumed by `releaseHead`, once the bytes that came with
    /// the head are in the body stream, so a small answer is read without waiting again.
    func received(_ head: HTTPResponseHead) { delivery.withLock { $0.head = head } }

    /// Resumes the caller with the head, if it arrived and the caller waits for it.
    func releaseHead() {
        let resume = delivery.withLock { state -> (CheckedContinuation<HTTPResponseHead, any Error>, HTTPResponseHead)? in
            guard let head = state.head, let waiting = state.waiting else { return nil }
            state.waiting = nil
            state.headDelivered = true
            return (waiting, head)
        }
        if let (waiting, head) = resume { waiting.resume(returning: head) }
    }

    /// A piece of the body arrived.
    func received(_ bytes: [UInt8]) { body.yield(bytes) }

    /// The response ended completely.
    func complete() {
        guard delivery.withLock({ state in
            guard !state.finished else { return false }
            state.finished = true
            return true
        }) else { return }
        body.finish()
        releaseHead()
    }

    /// The exchange failed with `error` (before or after its head). Any thread; the first
    /// ending wins.
    func fail(_ error: HTTPError) {
        let waiting: CheckedContinuation<HTTPResponseHead, any Error>?? = delivery.withLock { state in
            guard !state.finished else { return .none }
            state.finished = true
            state.failure = error
            defer { state.waiting = nil }
            // A head not yet handed over is dropped: the caller learns of the failure instead.
            if !state.headDelivered { state.head = nil }
            return .some(state.waiting)
        }
        guard case .some(let continuation) = waiting else { return }
        continuation?.resume(throwing: error)
        body.finish(throwing: error)
    }
}
