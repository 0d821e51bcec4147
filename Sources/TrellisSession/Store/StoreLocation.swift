import Foundation

/// Where the session store lives: a SQLite file, or a PostgreSQL database named by a
/// `postgres://` / `postgresql://` URL (what `--store` and the configuration's `store` say).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database; the URL may hold a password, so print `description`, never this.
    case postgres(url: String)

    /// Reads a `--store` value: a `postgres://` or `postgresql://` URL, or else a file path.
    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location as it may be printed and logged: a file path, or the URL without its
    /// password (in the user part or as a `password`/`sslpassword` parameter).
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return Self.redacted(url)
        }
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            // Not parseable: show only the scheme rather than risk printing a secret.
            return (url.split(separator: ":").first.map(String.init) ?? "postgres") + "://(unparseable URL)"
        }
        if components.password != nil { components.password = "***" }
        if let items = components.queryItems {
            components.queryItems = items.map { item in
                ["password", "sslpassword"].contains(item.name.lowercased()) ? URLQueryItem(name: item.name, value: "***") : item
            }
        }
        return components.string ?? "postgres://(unparseable URL)"
    }
}
