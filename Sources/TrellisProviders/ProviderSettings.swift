/// Everything a provider adapter needs to reach one model server.
///
/// The API key is held here and sent only in the provider's authentication header: it is
/// never part of `description`, an error message, an event or a file.
public struct ProviderSettings: Sendable, CustomStringConvertible {
    /// Which wire protocol to speak.
    public var kind: ProviderKind
    /// The model used when a request names none.
    public var model: String
    /// The server's base URL (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`, ...).
    public var baseURL: String
    /// The API key, or `nil` for servers that need none (local OpenAI-compatible servers).
    public var apiKey: String?
    /// Longest time one HTTP attempt may take, streaming included.
    public var requestTimeout: Duration
    /// When failures are retried, and how long to wait.
    public var retry: RetryPolicy
    /// `anthropic-version` header value (Anthropic only).
    public var anthropicVersion: String
    /// `max_tokens` sent where the protocol requires one (Anthropic) or when set.
    public var maxOutputTokens: Int?
    /// A PEM file of CA certificates trusted besides the system's (a private CA in front of
    /// the server); `nil`: the system's alone (OpenSSL's default paths, `SSL_CERT_FILE`).
    public var extraCAFile: String?

    /// Settings for `kind` with its default base URL and model.
    public init(
        kind: ProviderKind, model: String? = nil, baseURL: String? = nil, apiKey: String? = nil,
        requestTimeout: Duration = .seconds(120), retry: RetryPolicy = RetryPolicy(),
        anthropicVersion: String = "2023-06-01", maxOutputTokens: Int? = nil
    ) {
        self.kind = kind
        self.model = model ?? kind.defaultModel
        var base = baseURL ?? kind.defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.anthropicVersion = anthropicVersion
        self.maxOutputTokens = maxOutputTokens
    }

    /// `provider model at base`, without the key.
    public var description: String {
        "\(kind.rawValue) \(model) at \(baseURL)" + (apiKey == nil ? " (no key)" : "")
    }
}
