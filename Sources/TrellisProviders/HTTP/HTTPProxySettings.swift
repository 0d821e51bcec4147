/// The proxy variables libcurl (and so `URLSession` on Linux) honoured, read the same way:
/// `https_proxy`/`HTTPS_PROXY` for `https` servers, `http_proxy` for `http` ones (curl ignores
/// `HTTP_PROXY`, which a CGI request can set), and `no_proxy`/`NO_PROXY` for the hosts that
/// bypass them (`*`, names matching a suffix such as `.internal` or `example.com`, and
/// literal addresses).
///
/// A server a proxy applies to is reached through an HTTP `CONNECT` tunnel (plain `http`
/// servers too). What cannot be honoured — a proxy URL with credentials or an `https://`
/// proxy — is refused with an error naming the variable, never bypassed.
struct HTTPProxySettings: Sendable {
    /// A proxy in use for some servers.
    struct Proxy: Sendable {
        /// The variable it came from, for errors.
        var variable: String
        /// Where to connect, or why the value cannot be used.
        var server: Result<HTTPOrigin, HTTPError>
    }

    var https: Proxy?
    var http: Proxy?
    var exempt: [String]

    /// The settings in `environment`.
    init(environment: [String: String]) {
        func proxy(_ names: [String]) -> Proxy? {
            for name in names {
                guard let value = environment[name], !value.isEmpty else { continue }
                return Proxy(variable: name, server: Self.parse(value, variable: name))
            }
            return nil
        }
        https = proxy(["https_proxy", "HTTPS_PROXY"])
        http = proxy(["http_proxy"])
        let list = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        exempt = list.split(separator: ",").map { entry in
            var name = entry.trimmingSpaces().lowercased()
            while name.hasPrefix(".") { name.removeFirst() }
            if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            return name
        }.filter { !$0.isEmpty }
    }

    /// The proxy to tunnel through to `origin`, `nil` to connect directly.
    func proxy(for origin: HTTPOrigin) -> Proxy? {
        guard let proxy = origin.secure ? https : http else { return nil }
        for entry in exempt where entry == "*" || origin.host == entry || origin.host.hasSuffix("." + entry) {
            return nil
        }
        return proxy
    }

    private static func parse(_ value: String, variable: String) -> Result<HTTPOrigin, HTTPError> {
        let url = value.contains("://") ? value : "http://" + value
        if url.lowercased().hasPrefix("https://") {
            return .failure(.proxy("\(variable) names an https:// proxy; Trellis reaches proxies over plain HTTP only (CONNECT), so unset it or give an http:// proxy"))
        }
        guard let target = HTTPTarget(url) else {
            let reason = value.contains("@") ? "proxy credentials in the URL are not supported" : "it is not a usable proxy URL"
            return .failure(.proxy("\(variable) cannot be used: \(reason)"))
        }
        var origin = target.origin
        // Like curl: a proxy given without a port listens on 1080.
        let authority = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? ""
        if !(authority.split(separator: "]").last ?? authority).contains(":") { origin.port = 1080 }
        return .success(origin)
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        var view = self
        while view.first == " " || view.first == "\t" { view.removeFirst() }
        while view.last == " " || view.last == "\t" { view.removeLast() }
        return String(view)
    }
}
