import Glibc

/// One address to connect to (IPv4 or IPv6), as the bytes of a `sockaddr`.
struct SocketAddress: Sendable {
    /// `AF_INET` or `AF_INET6`.
    var family: Int32
    /// The `sockaddr_in` or `sockaddr_in6` bytes.
    var bytes: [UInt8]

    /// The address for a numeric host (`127.0.0.1`, `::1`), `nil` for a name that needs DNS.
    init?(numericHost host: String, port: Int) {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port)).bigEndian
            self.init(family: AF_INET, raw: v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port)).bigEndian
            self.init(family: AF_INET6, raw: v6)
            return
        }
        return nil
    }

    /// Copies a `sockaddr` of `length` bytes.
    init(family: Int32, pointer: UnsafePointer<sockaddr>, length: Int) {
        self.family = family
        bytes = Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    private init<Raw>(family: Int32, raw: Raw) {
        self.family = family
        bytes = withUnsafeBytes(of: raw) { Array($0) }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        bytes.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }
}
