import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP for the provider adapters: one `URLSession` (one connection pool) for the process,
/// responses streamed as they arrive.
///
/// A request waiting on a server holds no thread: it is a `URLSessionTask` driven by
/// Foundation's own I/O thread, and the caller's task is suspended on a continuation. Linux's
/// Foundation has no `bytes(for:)`, so the body arrives through the session delegate and is
/// handed on as an `AsyncThrowingStream` of chunks. Cancelling the caller's task cancels the
/// `URLSessionTask`.
public final class HTTPClient: Sendable {
    /// The client every adapter shares unless given its own.
    public static let shared = HTTPClient()

    private let session: URLSession
    private let delegate: HTTPSessionDelegate

    /// Connections one client opens to one host at most unless told otherwise: enough that a
    /// thousand sessions waiting on one model server are a thousand requests in flight, not
    /// waves of a few dozen (`trellis bench adapters`, benchmark 3).
    public static let defaultMaximumConnectionsPerHost = 1024

    /// Creates a client with its own connection pool of at most `maximumConnectionsPerHost`
    /// connections to each host; requests beyond that wait for a free connection.
    public init(maximumConnectionsPerHost: Int = HTTPClient.defaultMaximumConnectionsPerHost) {
        delegate = HTTPSessionDelegate()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maximumConnectionsPerHost)
        configuration.timeoutIntervalForResource = 24 * 3600  // the per-request deadline is ours
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends `request` and returns the response head as soon as it arrives, with the body to
    /// read as it streams in. The body stream ends with an error when the connection breaks,
    /// the deadline passes or the reader's task is cancelled.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> (head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .invalidURL(request.url)
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for header in request.headers { urlRequest.addValue(header.value, forHTTPHeaderField: header.name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let seconds = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        // Foundation's own timer is coarse (sub-second values fire at once on Linux); the
        // deadline below is the real limit, this one only backs it up.
        urlRequest.timeoutInterval = seconds.rounded(.up) + 5

        let task = session.dataTask(with: urlRequest)
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let exchange = HTTPExchange(body: bodyContinuation, timeout: request.timeout)
        bodyContinuation.onTermination = { [weak task] termination in
            if case .cancelled = termination { task?.cancel() }
        }
        delegate.register(exchange, for: task.taskIdentifier)
        // The deadline runs on a Dispatch timer, not a task: it must fire on time even when the
        // cooperative pool is busy.
        // A request that ended before its deadline ignores the timer.
        // Weak: a finished request's state must not live on until its deadline would have passed.
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(min(seconds * 1e9, 1e18)))) { [weak task, weak exchange] in
            if exchange?.timedOut() == true { task?.cancel() }
        }
        do {
            let head = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    exchange.awaitHead(continuation)
                    task.resume()
                }
            } onCancel: {
                exchange.cancelled()
                task.cancel()
            }
            return (head, body)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw .connection(error.localizedDescription)
        }
    }

    /// Sends `request` and reads the whole body.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> (head: HTTPResponseHead, body: [UInt8]) {
        let (head, stream) = try await stream(request)
        var body: [UInt8] = []
        do {
            for try await chunk in stream { body += chunk }
        } catch let error as HTTPError {
            throw error
        } catch {
            throw .connection(String(describing: error))
        }
        return (head, body)
    }
}
