/// The server a request goes to: scheme, host and port. Connections are pooled by origin.
struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    /// `true` for `https`.
    var secure: Bool
    /// The host as written in the URL, without IPv6 brackets.
    var host: String
    /// The port, explicit or the scheme's default.
    var port: Int

    /// `host:port` (IPv6 hosts bracketed): how errors name the server.
    var description: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}

/// An absolute `http`/`https` URL taken apart for the wire.
struct HTTPTarget: Sendable {
    /// Where to connect.
    var origin: HTTPOrigin
    /// The request target: path and query (`/v1/chat/completions?alt=sse`), `/` when empty.
    var path: String
    /// The `Host` header: the host, with the port when it is not the scheme's default.
    var hostHeader: String

    /// Parses `url`; `nil` when it is not an absolute `http(s)` URL with a host (user names
    /// and passwords in the URL are not supported: keys go in headers).
    init?(_ url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let fragment = path.firstIndex(of: "#") { path = String(path[..<fragment]) }
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@"), !path.contains(" ") else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        var host: Substring
        var port = defaultPort
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
        origin = HTTPOrigin(secure: scheme == "https", host: host.lowercased(), port: port)
        self.path = path
        let bracketed = host.contains(":") ? "[\(host)]" : String(host)
        hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }
}
