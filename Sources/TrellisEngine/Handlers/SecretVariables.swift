/// Which environment variables hold secrets, so that tool commands do not inherit them.
///
/// A tool node runs a script someone else may have written; the host's API keys and
/// passwords have no business in it. A variable is a secret when its name ends in `_API_KEY`,
/// `_TOKEN`, `_SECRET` or `_PASSWORD`, or is `PGPASSWORD`, or matches one of `extraPatterns`
/// (the same forms: a `*` prefix for "ends with", else the exact name). A name in
/// `allowed` is passed through on purpose (`tool_env_allow` on the node, or the run's list).
public struct SecretVariables: Sendable {
    /// The built-in patterns.
    public static let defaultPatterns = ["*_API_KEY", "*_TOKEN", "*_SECRET", "*_PASSWORD", "PGPASSWORD"]

    /// Patterns that make a name a secret.
    public var patterns: [String]
    /// Names passed through although they match.
    public var allowed: Set<String>

    /// The default rule, with `extraPatterns` added and `allowed` let through.
    public init(extraPatterns: [String] = [], allowed: Set<String> = []) {
        patterns = Self.defaultPatterns + extraPatterns
        self.allowed = allowed
    }

    /// Whether `name` holds a secret that must not be passed on.
    public func withholds(_ name: String) -> Bool {
        guard !allowed.contains(name) else { return false }
        let upper = name.uppercased()
        return patterns.contains { pattern in
            pattern.hasPrefix("*") ? upper.hasSuffix(pattern.dropFirst().uppercased()) : upper == pattern.uppercased()
        }
    }

    /// `environment` without the secrets.
    public func filter(_ environment: [String: String]) -> [String: String] {
        environment.filter { !withholds($0.key) }
    }
}
