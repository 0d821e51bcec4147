/// One HTTP request to a model server.
public struct HTTPRequest: Sendable {
    /// The absolute URL.
    public var url: String
    /// The method (`POST` for every provider call).
    public var method: String
    /// Header fields, in order. Authentication headers carry secrets: never log them.
    public var headers: [(name: String, value: String)]
    /// The body bytes (JSON for every provider).
    public var body: [UInt8]
    /// Longest time the request may take from sending to the end of the body.
    public var timeout: Duration

    /// Creates a request.
    public init(url: String, method: String = "POST", headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], timeout: Duration = .seconds(120)) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The status line and headers of a response, before its body.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields by lowercased name.
    public var headers: [String: String]

    /// Creates a head.
    public init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }
}

/// Why a request got no (complete) response. Every message names the server (`host:port`)
/// and the reason, and never a header value (headers carry the API key).
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL cannot be used.
    case invalidURL(String)
    /// The request cannot be sent as it is (a header with a line break, a bad method).
    case invalidRequest(String)
    /// The connection failed or broke (refused, reset, cut mid-body, DNS).
    case connection(String)
    /// TLS could not be set up: the certificate is untrusted or names another host, or the
    /// handshake failed. Another attempt would meet the same certificate.
    case tls(String)
    /// A proxy variable applies to the server and the proxy refused or failed the tunnel.
    case proxy(String)
    /// The request took longer than its timeout.
    case timedOut(Duration, server: String)
    /// The caller cancelled the request.
    case cancelled

    /// What went wrong, for the user.
    public var description: String {
        switch self {
        case .invalidURL(let url): return "'\(url)' is not a usable http(s) URL"
        case .invalidRequest(let reason): return "the request cannot be sent: \(reason)"
        case .connection(let reason): return "connection failed: \(reason)"
        case .tls(let reason): return "TLS failed: \(reason)"
        case .proxy(let reason): return "proxy failed: \(reason)"
        case .timedOut(let limit, let server): return "no complete response from \(server) within \(limit.formatted)"
        case .cancelled: return "the request was cancelled"
        }
    }

    /// Whether another attempt could succeed.
    public var isRetryable: Bool {
        switch self {
        case .connection, .timedOut: return true
        case .invalidURL, .invalidRequest, .tls, .proxy, .cancelled: return false
        }
    }
}

extension Duration {
    /// `1.5 s`, `250 ms`: a duration as a person reads it.
    var formatted: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let seconds = Double(milliseconds) / 1000
        return seconds.rounded() == seconds ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
