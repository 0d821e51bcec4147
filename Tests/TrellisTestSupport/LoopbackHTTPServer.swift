import COpenSSL
import Foundation
import Glibc
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 for tests: it answers each request with what the
/// test's script says, including streamed bodies written piece by piece, slow answers, and
/// connections cut in the middle of a body. Every connection gets its own thread and is
/// closed after one response, unless the server keeps connections alive. With `tls` it
/// speaks HTTPS (OpenSSL) with the given certificate.
public final class LoopbackHTTPServer: Sendable {
    /// A request as the server received it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header fields by lowercased name.
        public var headers: [String: String]
        public var body: String
        /// The number of the connection it came on (from 0, in accept order).
        public var connection: Int
        /// The host name the client sent in TLS's server name indication, if any.
        public var serverName: String?
    }

    /// The certificate chain and key a TLS server presents (PEM files).
    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// What to answer.
    public struct Response: Sendable {
        public var status: Int = 200
        public var headers: [String: String] = ["Content-Type": "application/json"]
        /// Body pieces, each written after its delay; more than one piece is sent chunked.
        public var pieces: [(delay: Duration, text: String)] = []
        /// Close the connection after the pieces without ending the body.
        public var cut = false
        /// A `Content-Length` to declare instead of the true one (a body cut short), sent
        /// unchunked.
        public var declaredLength: Int?
        /// Called on the server's thread before piece N is written (after its delay): a test
        /// can hold a piece back until the client showed it has the earlier ones.
        public var beforePiece: (@Sendable (Int) -> Void)?

        /// A whole JSON body.
        public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Response {
            Response(status: status, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, pieces: [(.zero, text)])
        }

        /// An event stream, one piece per event text.
        public static func events(_ events: [String], every delay: Duration = .zero, cut: Bool = false) -> Response {
            Response(status: 200, headers: ["Content-Type": "text/event-stream"], pieces: events.map { (delay, $0) }, cut: cut)
        }
    }

    /// The port it listens on.
    public let port: Int
    private let listener: LoopbackListener
    private let script: @Sendable (Request, Int) -> Response
    private let log = Mutex<[Request]>([])
    private let keepAlive: Bool
    private let tls: ServerTLSContext?

    /// Starts listening; `script` gets each request and its number (from 0). With
    /// `keepAlive`, a connection serves requests until the client closes it; with `tls`, the
    /// server speaks HTTPS.
    public init(tls: TLSFiles? = nil, keepAlive: Bool = false, script: @escaping @Sendable (Request, Int) -> Response) throws {
        self.script = script
        self.keepAlive = keepAlive
        self.tls = try tls.map(ServerTLSContext.init)
        listener = try LoopbackListener()
        port = listener.port
        listener.acceptEach { [self] connection, number in serve(connection, number: number) }
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    public var baseURL: String { (tls == nil ? "http" : "https") + "://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [Request] { log.withLock { $0 } }

    /// Stops accepting connections.
    public func stop() { listener.stop() }

    private func serve(_ socket: Int32, number: Int) {
        // OpenSSL writes with write(2): a client that left must mean EPIPE, not SIGPIPE.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        let connection = Transport(socket)
        defer { connection.close() }
        if let tls, !connection.accept(tls) { return }
        while let request = readRequest(connection, number: number) {
            guard respond(to: request, on: connection), keepAlive else { return }
        }
    }

    /// Answers one request; `false` when the connection is done (cut, or the client left).
    private func respond(to request: Request, on connection: Transport) -> Bool {
        let number = log.withLock { log in
            log.append(request)
            return log.count - 1
        }
        let response = script(request, number)
        var head = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n" + (keepAlive ? "" : "Connection: close\r\n")
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        let chunked = response.declaredLength == nil && (response.pieces.count > 1 || response.cut)
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
        } else {
            head += "Content-Length: \(response.declaredLength ?? response.pieces.reduce(0) { $0 + $1.text.utf8.count })\r\n\r\n"
        }
        guard connection.write(head) else { return false }
        for (index, piece) in response.pieces.enumerated() {
            if piece.delay > .zero { Thread.sleep(forTimeInterval: Double(piece.delay.components.seconds) + Double(piece.delay.components.attoseconds) / 1e18) }
            response.beforePiece?(index)
            let bytes = piece.text.utf8.count
            guard connection.write(chunked ? String(bytes, radix: 16) + "\r\n" + piece.text + "\r\n" : piece.text) else { return false }
        }
        if response.cut || response.declaredLength != nil { return false }
        if chunked { return connection.write("0\r\n\r\n") }
        return true
    }

    private func readRequest(_ connection: Transport, number: Int) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, data.count >= end + contentLength { break }
            let count = buffer.withUnsafeMutableBytes { connection.read($0) }
            if count <= 0 { return nil }
            data += buffer[..<count]
            if headerEnd == nil, let range = findHeaderEnd(data) {
                headerEnd = range
                let head = String(decoding: data[..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let end = headerEnd!
        let lines = String(decoding: data[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers,
                       body: String(decoding: data[end..<(end + contentLength)], as: UTF8.self), connection: number,
                       serverName: connection.serverName)
    }

    private func findHeaderEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// The socket could not be set up.
    public struct ServerError: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
        init(_ description: String) { self.description = description }
    }
}

/// The server side of TLS: one OpenSSL context with the test's certificate and key.
/// `@unchecked Sendable`: configured in `init`, then only used to make sessions (`SSL_new`),
/// which OpenSSL allows from any thread.
private final class ServerTLSContext: @unchecked Sendable {
    let context: OpaquePointer

    init(_ files: LoopbackHTTPServer.TLSFiles) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw LoopbackHTTPServer.ServerError("SSL_CTX_new failed") }
        self.context = context
        guard SSL_CTX_use_certificate_chain_file(context, files.certificate) == 1,
              SSL_CTX_use_PrivateKey_file(context, files.key, SSL_FILETYPE_PEM) == 1 else {
            throw LoopbackHTTPServer.ServerError("cannot load the TLS certificate \(files.certificate) or key \(files.key)")
        }
    }

    deinit { SSL_CTX_free(context) }
}

/// One accepted connection, plain or TLS, used by its own thread only.
private final class Transport {
    private let fd: Int32
    private var ssl: OpaquePointer?

    init(_ fd: Int32) { self.fd = fd }

    /// The TLS handshake; `false` when the client gave up (an untrusted certificate).
    func accept(_ tls: ServerTLSContext) -> Bool {
        guard let ssl = SSL_new(tls.context) else { return false }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        return SSL_accept(ssl) == 1
    }

    /// The SNI host name the client sent, once the handshake is done.
    var serverName: String? {
        guard let ssl, let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        if let ssl { return Int(SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))) }
        return recv(fd, buffer.baseAddress, buffer.count, 0)
    }

    func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress! + offset, Int32(raw.count - offset))) }
                return send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    func close() {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        _ = Glibc.close(fd)
    }
}
