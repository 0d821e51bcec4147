import COpenSSL
import Glibc

/// OpenSSL's client settings shared by every TLS connection of one `HTTPClient`: TLS 1.2 or
/// newer, the peer's certificate verified against the system's trust store (which honours
/// `SSL_CERT_FILE` and `SSL_CERT_DIR`, as OpenSSL always does) plus an optional extra CA file.
///
/// `@unchecked Sendable`: the `SSL_CTX` is configured once in `init` and only read afterwards
/// (`SSL_new`), which OpenSSL allows from any thread.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Why the context could not be made.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// A context trusting the system store and, when given, the certificates in `extraCAFile`.
    init(extraCAFile: String?) throws(SetupError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw SetupError(description: "OpenSSL could not make a TLS context: \(Self.lastError())")
        }
        self.context = context
        guard trellis_ssl_ctx_require_tls12(context) == 1 else {
            throw SetupError(description: "OpenSSL refused the minimum version TLS 1.2: \(Self.lastError())")
        }
        trellis_ssl_ctx_set_nonblocking_modes(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw SetupError(description: "OpenSSL could not load the system's trusted certificates: \(Self.lastError())")
        }
        if let extraCAFile {
            guard SSL_CTX_load_verify_locations(context, extraCAFile, nil) == 1 else {
                throw SetupError(description: "cannot load CA certificates from '\(extraCAFile)': \(Self.lastError())")
            }
        }
    }

    deinit { SSL_CTX_free(context) }

    /// OpenSSL's description of the most recent error on this thread's queue (emptying it).
    static func lastError() -> String {
        var last: UInt = 0
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            last = code
        }
        guard last != 0 else { return "no detail from OpenSSL" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(last, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
