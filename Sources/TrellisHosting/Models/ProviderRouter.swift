import TrellisCore
import TrellisEngine
import TrellisProviders

/// The LLM of a pipeline run: each stage's request goes to the provider its `llm_provider`
/// names, else the one its `llm_model` implies (`gpt-*`, `claude-*`, `gemini-*`), else the
/// run's default; every provider's key comes from the environment. Tokens are counted for
/// the run manifest.
public final class ProviderRouter: LLMAdapter {
    private let selection: ModelSelection
    private let fallback: ProviderSettings?
    private let adapters = LockedValue<[String: ProviderLLM]>([:])
    private let usage = LockedValue(LLMUsage())

    /// A router with `fallback` for stages that name no provider, reaching other providers
    /// through `selection` (its model section supplies base URL, timeout and limits).
    public init(fallback: ProviderSettings?, selection: ModelSelection) {
        self.fallback = fallback
        self.selection = selection
    }

    /// Tokens all requests used so far.
    public var totalUsage: LLMUsage { usage.withLock { $0 } }

    /// The default provider, for the manifest.
    public var summary: String { fallback?.description ?? "per stage (llm_provider / llm_model)" }

    /// The provider settings a request with this provider and model goes to, or why none can serve it.
    public func settings(provider: String, model: String) throws(ModelSelectionError) -> ProviderSettings {
        let kind: ProviderKind
        if !provider.isEmpty {
            guard let named = ProviderKind(rawValue: provider.lowercased()) else {
                throw ModelSelectionError("llm_provider '\(provider)' is not one of openai, anthropic, gemini")
            }
            kind = named
        } else if !model.isEmpty, let inferred = ProviderKind.inferred(fromModel: model) {
            kind = inferred
        } else if let fallback {
            return model.isEmpty ? fallback : Self.with(model: model, fallback)
        } else {
            throw ModelSelectionError("no provider is configured and the stage names none (llm_provider, or an llm_model such as gpt-*, claude-*, gemini-*)")
        }
        if let fallback, fallback.kind == kind { return model.isEmpty ? fallback : Self.with(model: model, fallback) }
        var other = selection
        other.model.provider = kind.rawValue
        other.model.model = model.isEmpty ? nil : model
        if selection.model.provider != nil, selection.model.provider != kind.rawValue { other.model.baseURL = nil }
        return try other.settings(for: kind)
    }

    /// Sends the request to its provider.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let settings = try self.settings(provider: request.provider, model: request.model)
        let key = settings.kind.rawValue + " " + settings.baseURL
        let adapter = adapters.withLock { table in
            if let existing = table[key] { return existing }
            let made = ProviderLLM(settings: settings)
            table[key] = made
            return made
        }
        var routed = request
        routed.model = settings.model
        let response = try await adapter.complete(routed)
        usage.withLock { $0 += response.usage }
        return response
    }

    private static func with(model: String, _ settings: ProviderSettings) -> ProviderSettings {
        var settings = settings
        settings.model = model
        return settings
    }
}
