import TrellisEngine

/// Finds a model to talk to when the user named none: a provider whose API key is in the
/// environment (OpenAI, then Anthropic, then Gemini), else an OpenAI-compatible server
/// answering on its usual loopback port (Ollama 11434, llama.cpp's server 8080), else nothing
/// — and then the caller says so rather than pretending.
public struct ProviderDiscovery: Sendable {
    /// A local OpenAI-compatible server worth asking.
    public struct LocalServer: Sendable, Equatable {
        /// What it usually is.
        public var name: String
        /// Its OpenAI-compatible base URL.
        public var baseURL: String

        /// Creates an entry.
        public init(name: String, baseURL: String) {
            self.name = name
            self.baseURL = baseURL
        }
    }

    /// The servers asked, in order.
    public var localServers: [LocalServer]
    /// How long each local server has to answer `GET /models`.
    public var probeTimeout: Duration
    private let environment: [String: String]
    private let client: HTTPClient

    /// Discovery over `environment` (the process's, normally).
    public init(environment: [String: String],
                localServers: [LocalServer] = [
                    LocalServer(name: "Ollama", baseURL: "http://127.0.0.1:11434/v1"),
                    LocalServer(name: "llama.cpp server", baseURL: "http://127.0.0.1:8080/v1"),
                ],
                probeTimeout: Duration = .milliseconds(400), client: HTTPClient = .shared) {
        self.environment = environment
        self.localServers = localServers
        self.probeTimeout = probeTimeout
        self.client = client
    }

    /// The API key for `kind` from its usual variable (or `variable`), when set and not empty.
    public func key(for kind: ProviderKind, variable: String? = nil) -> String? {
        guard let value = environment[variable ?? kind.keyVariable], !value.isEmpty else { return nil }
        return value
    }

    /// The first provider with a key in the environment.
    public func providerWithKey() -> ProviderSettings? {
        for kind in ProviderKind.allCases {
            if let key = key(for: kind) { return ProviderSettings(kind: kind, apiKey: key) }
        }
        return nil
    }

    /// The first local server that lists a model, with that model.
    public func localServer() async -> ProviderSettings? {
        for server in localServers {
            let request = HTTPRequest(url: server.baseURL + "/models", method: "GET", timeout: probeTimeout)
            guard let (head, body) = try? await client.send(request), head.status == 200,
                  let json = try? ContextValue(jsonText: String(decoding: body, as: UTF8.self)),
                  let model = json["data"]?.list?.first?["id"]?.string, !model.isEmpty
            else { continue }
            return ProviderSettings(kind: .openai, model: model, baseURL: server.baseURL)
        }
        return nil
    }

    /// A provider with a key, else a local server, else `nil`.
    public func discover() async -> ProviderSettings? {
        if let settings = providerWithKey() { return settings }
        return await localServer()
    }
}
