import COpenSSL
import Glibc

/// One non-blocking TCP connection of the event loop, plain or TLS, and where it stands:
/// connecting, tunnelling through a proxy, in the TLS handshake, or ready (idle in its pool
/// or carrying one exchange).
///
/// Used only on the event loop's thread; it performs no waiting of its own — every call
/// returns `.wait` when the socket would block, and the loop calls again when epoll says so.
final class HTTPConnection {
    enum Phase {
        case connecting
        case tunnelling
        case handshaking
        case ready
        case closed
    }

    /// The result of an I/O step.
    enum Step {
        case done
        case wait
        case failed(String)
    }

    /// The result of a read.
    enum ReadResult {
        case bytes(Int)
        case wait
        case closed
        case failed(String)
    }

    let fd: Int32
    /// The server the requests are for (not the proxy).
    let origin: HTTPOrigin
    /// What the socket is connected to: the server, or the proxy tunnelling to it.
    let peer: HTTPOrigin
    /// Addresses of `peer` still to try if this one refuses.
    var fallbacks: [SocketAddress]
    var phase = Phase.connecting
    /// Bytes to send and how many are sent (the CONNECT line, then each request).
    var output: [UInt8] = []
    var sent = 0
    /// The response being read (the proxy's answer to CONNECT while tunnelling).
    var parser = HTTPResponseParser(method: "CONNECT")
    /// The request this connection carries, `nil` when idle.
    var exchange: HTTPExchange?
    /// Responses completed on this connection: a reused one may have been closed by the
    /// server while idle.
    var served = 0
    private var ssl: OpaquePointer?

    /// Opens a non-blocking socket and starts connecting it to `address`. Returns `nil` with
    /// the reason when the connection failed at once.
    static func open(to address: SocketAddress, origin: HTTPOrigin, peer: HTTPOrigin, fallbacks: [SocketAddress]) -> Result<HTTPConnection, Errno> {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Errno(errno)) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result != 0 && errno != EINPROGRESS {
            let error = errno
            _ = Glibc.close(fd)
            return .failure(Errno(error))
        }
        return .success(HTTPConnection(fd: fd, origin: origin, peer: peer, fallbacks: fallbacks))
    }

    private init(fd: Int32, origin: HTTPOrigin, peer: HTTPOrigin, fallbacks: [SocketAddress]) {
        self.fd = fd
        self.origin = origin
        self.peer = peer
        self.fallbacks = fallbacks
    }

    /// The outcome of a non-blocking `connect`: 0 once connected, else the `errno`.
    var connectError: Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }

    /// Starts TLS to `origin`: SNI and the host name (or IP) the certificate must name.
    func startTLS(_ context: TLSContext) -> Step {
        guard let ssl = SSL_new(context.context) else { return .failed("OpenSSL: \(TLSContext.lastError())") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if SocketAddress(numericHost: origin.host, port: origin.port) != nil {
            // An IP literal: no SNI (RFC 6066), and the certificate must list the address.
            guard let parameters = SSL_get0_param(ssl), X509_VERIFY_PARAM_set1_ip_asc(parameters, origin.host) == 1 else {
                return .failed("OpenSSL cannot check the certificate against \(origin.host)")
            }
        } else {
            guard trellis_ssl_set_sni(ssl, origin.host) == 1, SSL_set1_host(ssl, origin.host) == 1 else {
                return .failed("OpenSSL cannot check the certificate against \(origin.host)")
            }
        }
        SSL_set_connect_state(ssl)
        phase = .handshaking
        return .done
    }

    /// Advances the TLS handshake.
    func handshake() -> Step {
        guard let ssl else { return .failed("no TLS session") }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return .wait }
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            return .failed("the certificate of \(origin) is not accepted: \(String(cString: X509_verify_cert_error_string(verify)))")
        }
        if code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN {
            let error = errno
            return .failed("the handshake with \(origin) broke off" + (error != 0 && code == SSL_ERROR_SYSCALL ? ": \(Errno(error))" : ""))
        }
        return .failed("the handshake with \(origin) failed: \(TLSContext.lastError())")
    }

    /// Sends as much of `output` as the socket takes.
    func flush() -> Step {
        while sent < output.count {
            let count: Int
            if let ssl {
                ERR_clear_error()
                let result = output.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + sent, Int32($0.count - sent)) }
                if result <= 0 {
                    let code = SSL_get_error(ssl, result)
                    if code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ { return .wait }
                    return .failed("sending to \(peer) failed: \(code == SSL_ERROR_SYSCALL ? Errno(errno).description : TLSContext.lastError())")
                }
                count = Int(result)
            } else {
                count = output.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if count < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK { return .wait }
                    if errno == EINTR { continue }
                    return .failed("sending to \(peer) failed: \(Errno(errno))")
                }
            }
            sent += count
        }
        return .done
    }

    /// Reads what has arrived into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        if let ssl {
            ERR_clear_error()
            let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
            if result > 0 { return .bytes(Int(result)) }
            let code = SSL_get_error(ssl, result)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return .wait }
            if code == SSL_ERROR_ZERO_RETURN { return .closed }
            if code == SSL_ERROR_SYSCALL {
                // OpenSSL 3 reports an end of the connection without close_notify here.
                return errno == 0 || errno == ECONNRESET ? .closed : .failed("reading from \(peer) failed: \(Errno(errno))")
            }
            return .failed("reading from \(peer) failed: \(TLSContext.lastError())")
        }
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wait }
            if errno == ECONNRESET { return .closed }
            return .failed("reading from \(peer) failed: \(Errno(errno))")
        }
    }

    /// Closes the socket and frees the TLS session.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        if let ssl {
            SSL_free(ssl)
            self.ssl = nil
        }
        _ = Glibc.close(fd)
    }
}

/// An `errno` value that describes itself (`connection refused`).
struct Errno: Error, CustomStringConvertible {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)).lowercased() }
}
