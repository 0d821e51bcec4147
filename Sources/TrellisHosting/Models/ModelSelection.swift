import TrellisProviders

/// Turns `--llm`, `--model`, `--base-url` and the configuration's `llm` section into a
/// `ModelChoice`, with the API key from the environment.
///
/// `provider` may be `openai`, `anthropic`, `gemini`, `offline`, `simulated` or a plugin
/// adapter's name. When it is not given, a `model` whose name says its provider (`gpt-*`,
/// `claude-*`, `gemini-*`) picks that provider; otherwise, with `discover`, a provider whose
/// key is in the environment or a local OpenAI-compatible server is looked for, and failing
/// that the answer is `nil` (the caller decides between refusing and the offline model).
public struct ModelSelection: Sendable {
    /// The settings asked for.
    public var model: HostConfiguration.Model
    private let environment: [String: String]

    /// A selection over `model` (flags already applied) and the process's `environment`.
    public init(_ model: HostConfiguration.Model, environment: [String: String]) {
        self.model = model
        self.environment = environment
    }

    /// The choice, or `nil` when nothing was asked for and nothing was found.
    public func resolve(discover: Bool) async throws(ModelSelectionError) -> ModelChoice? {
        var name = model.provider
        if name == nil, let modelName = model.model { name = ProviderKind.inferred(fromModel: modelName)?.rawValue }
        if name == nil, model.baseURL != nil { name = ProviderKind.openai.rawValue }
        guard let name else {
            guard discover, let found = await ProviderDiscovery(environment: environment).discover() else { return nil }
            return .provider(apply(to: found))
        }
        switch name {
        case "offline": return .offline(reason: "chosen with --llm offline")
        case "simulated": return .simulated
        default:
            guard let kind = ProviderKind(rawValue: name) else { return .adapter(name) }
            return .provider(try settings(for: kind))
        }
    }

    /// Settings for `kind`: the key from its variable; required unless a base URL points elsewhere.
    public func settings(for kind: ProviderKind) throws(ModelSelectionError) -> ProviderSettings {
        let variable = model.apiKeyVariable ?? kind.keyVariable
        let key = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil && model.baseURL == nil {
            throw ModelSelectionError(
                "\(kind.rawValue) needs an API key: set \(variable) in the environment"
                + (model.apiKeyVariable == nil ? " (or name another variable with llm.api_key_env in the configuration)" : "")
                + ", or give --base-url for a server that needs none")
        }
        return apply(to: ProviderSettings(kind: kind, model: model.model, baseURL: model.baseURL, apiKey: key))
    }

    /// `settings` with the timeout, attempts and token limit asked for.
    private func apply(to settings: ProviderSettings) -> ProviderSettings {
        var settings = settings
        if let name = model.model { settings.model = name }
        if let timeout = model.timeout { settings.requestTimeout = timeout }
        if let attempts = model.maxAttempts { settings.retry.maxAttempts = attempts }
        if let limit = model.maxOutputTokens { settings.maxOutputTokens = limit }
        if let caFile = model.caFile { settings.extraCAFile = caFile }
        return settings
    }
}

/// The model asked for cannot be used as asked.
public struct ModelSelectionError: Error, Sendable, CustomStringConvertible {
    /// What is missing and how to provide it.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
