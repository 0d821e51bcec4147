// OpenSSL (Debian's libssl-dev) for Trellis's HTTP client and its tests.
//
// OpenSSL spells several calls as function-like macros, which Swift cannot import; the
// static inline wrappers below give them a callable name. Each has the thread rules and
// lifetime of the call it wraps: an `SSL` or `SSL_CTX` is used by one thread at a time,
// and every pointer passed is borrowed for the call only (OpenSSL copies what it keeps).
#ifndef TRELLIS_COPENSSL_SHIM_H
#define TRELLIS_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// Sets the SNI host name sent in the ClientHello. `name` is copied. Returns 1 on success.
/// Call before the handshake, on the thread that owns `ssl`.
static inline int trellis_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// Refuses protocol versions below TLS 1.2 on every connection made from `ctx`. Returns 1 on
/// success. Call before `ctx` is shared.
static inline int trellis_ssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// Lets `SSL_write` be retried after `SSL_ERROR_WANT_WRITE` with the same bytes at a
/// different address (Swift arrays move) and return after a partial write. Call before `ctx`
/// is shared.
static inline void trellis_ssl_ctx_set_nonblocking_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
}

#endif
