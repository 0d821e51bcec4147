/// A model request that failed, phrased for the user: which provider, what status, and the
/// provider's own message. Never contains the API key.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// The provider that failed (`openai`, `anthropic`, `gemini`).
    public var provider: ProviderKind
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// What went wrong, in the provider's words where it gave any.
    public var message: String
    /// Attempts made, retries included.
    public var attempts: Int

    /// Creates an error.
    public init(provider: ProviderKind, status: Int? = nil, message: String, attempts: Int = 1) {
        self.provider = provider
        self.status = status
        self.message = message
        self.attempts = attempts
    }

    /// `anthropic answered 401: invalid x-api-key (authentication_error)`.
    public var description: String {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        if let status { return "\(provider.rawValue) answered \(status)\(tries): \(message)" }
        return "\(provider.rawValue) request failed\(tries): \(message)"
    }
}
