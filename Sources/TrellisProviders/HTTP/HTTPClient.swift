import Foundation
import TrellisCore

/// HTTP/1.1 for the provider adapters, on one event-loop thread per client: non-blocking
/// sockets under `epoll`, a keep-alive pool per server, TLS through OpenSSL, responses
/// streamed as they arrive.
///
/// A request waiting on a server holds no thread: the caller's task is suspended on a
/// continuation that the loop resumes when the head arrives, and the body follows as an
/// `AsyncThrowingStream` of chunks. Cancelling the caller's task (or dropping the body stream)
/// closes the connection. Why not `URLSession`: on Linux it is libcurl underneath, which
/// busy-waits and adds threads (`docs/architecture.md`).
///
/// TLS: TLS 1.2 or newer, the certificate verified against the system store (OpenSSL's
/// default paths, which honour `SSL_CERT_FILE` and `SSL_CERT_DIR`) plus `extraCAFile`, with
/// SNI and host-name verification. Proxies: `https_proxy`, `http_proxy` and `no_proxy` as
/// libcurl reads them, through a `CONNECT` tunnel (`HTTPProxySettings`).
public final class HTTPClient: Sendable {
    /// The client every adapter shares unless given its own.
    public static let shared = HTTPClient()

    private static let sharedByCAFile = LockedValue<[String: HTTPClient]>([:])

    /// The client shared by every adapter that trusts `caFile` besides the system's store
    /// (one event loop per distinct file), `shared` for `nil`.
    public static func shared(trusting caFile: String?) -> HTTPClient {
        guard let caFile else { return shared }
        return sharedByCAFile.withLock { clients in
            if let client = clients[caFile] { return client }
            let client = HTTPClient(extraCAFile: caFile)
            clients[caFile] = client
            return client
        }
    }

    /// Connections one client opens to one host at most unless told otherwise: enough that a
    /// thousand sessions waiting on one model server are a thousand requests in flight, not
    /// waves of a few dozen (`trellis bench adapters`, benchmark 3).
    public static let defaultMaximumConnectionsPerHost = 1024

    private let loop: Result<HTTPEventLoop, HTTPError>

    /// Creates a client with its own event loop and connection pool of at most
    /// `maximumConnectionsPerHost` connections to each host (requests beyond that wait for a
    /// free connection). `extraCAFile` adds trusted certificates (PEM) to the system's;
    /// `environment` supplies the proxy variables. A client that cannot be set up (an
    /// unreadable CA file) fails every request with the reason.
    public init(maximumConnectionsPerHost: Int = HTTPClient.defaultMaximumConnectionsPerHost, extraCAFile: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        do throws(HTTPError) {
            let tls: TLSContext
            do { tls = try TLSContext(extraCAFile: extraCAFile) } catch { throw .tls(error.description) }
            loop = .success(try HTTPEventLoop(maximumConnectionsPerHost: max(1, maximumConnectionsPerHost), tls: tls,
                                              proxies: HTTPProxySettings(environment: environment)))
        } catch {
            loop = .failure(error)
        }
    }

    /// The loop ends once the requests still running (bodies still being read) have ended.
    deinit {
        if case .success(let loop) = loop { loop.submit(.stop) }
    }

    /// Sends `request` and returns the response head as soon as it arrives, with the body to
    /// read as it streams in. The body stream ends with an error when the connection breaks,
    /// the deadline passes or the reader's task is cancelled.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> (head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        guard let target = HTTPTarget(request.url) else { throw .invalidURL(request.url) }
        let loop = try loop.get()
        let bytes = try Self.wireBytes(of: request, to: target)
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let exchange = HTTPExchange(target: target, method: request.method, requestBytes: bytes, timeout: request.timeout, body: bodyContinuation)
        bodyContinuation.onTermination = { [weak exchange] termination in
            if case .cancelled = termination, let exchange { loop.submit(.cancel(exchange)) }
        }
        do {
            // The client stays alive until the request has its head: released earlier (it is
            // often a temporary), its `deinit` would stop the loop before the request reached it.
            defer { withExtendedLifetime(self) {} }
            let head = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    exchange.awaitHead(continuation)
                    loop.submit(.start(exchange))
                }
            } onCancel: {
                loop.submit(.cancel(exchange))
            }
            return (head, body)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw .connection(String(describing: error))
        }
    }

    /// Sends `request` and reads the whole body.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> (head: HTTPResponseHead, body: [UInt8]) {
        let (head, stream) = try await stream(request)
        var body: [UInt8] = []
        do {
            for try await chunk in stream { body += chunk }
            // A cancelled reader's stream just ends: the body is incomplete, not short.
            if Task.isCancelled { throw HTTPError.cancelled }
        } catch let error as HTTPError {
            throw error
        } catch {
            throw .connection(String(describing: error))
        }
        return (head, body)
    }

    /// The request line, headers and body. `Content-Length` is always ours; no
    /// `Accept-Encoding` is sent, so answers come uncompressed.
    static func wireBytes(of request: HTTPRequest, to target: HTTPTarget) throws(HTTPError) -> [UInt8] {
        let method = request.method.uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else { throw .invalidRequest("'\(request.method)' is not an HTTP method") }
        var head = "\(method) \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        for header in request.headers {
            let name = header.name.lowercased()
            guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline }) else {
                throw .invalidRequest("'\(header.name)' is not a header name")
            }
            guard !header.value.contains(where: \.isNewline) else {
                throw .invalidRequest("the value of header '\(header.name)' contains a line break")  // never the value itself
            }
            if name == "host" || name == "content-length" || name == "transfer-encoding" { continue }
            head += "\(header.name): \(header.value)\r\n"
        }
        if !request.body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + request.body
    }
}
