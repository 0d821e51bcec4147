/// The wire protocols Trellis speaks natively. Every OpenAI-compatible server (llama.cpp's
/// server, vLLM, Ollama, OpenRouter, LM Studio) is `.openai` with its own base URL.
public enum ProviderKind: String, Sendable, CaseIterable {
    /// OpenAI chat completions: `POST {base}/chat/completions`, `Authorization: Bearer`.
    case openai
    /// Anthropic Messages: `POST {base}/v1/messages`, `x-api-key`, `anthropic-version`.
    case anthropic
    /// Google Gemini: `POST {base}/v1beta/models/{model}:generateContent`, `x-goog-api-key`.
    case gemini

    /// Where requests go when no base URL is configured.
    public var defaultBaseURL: String {
        switch self {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com"
        case .gemini: return "https://generativelanguage.googleapis.com"
        }
    }

    /// The environment variable the API key is read from unless the configuration names another.
    public var keyVariable: String {
        switch self {
        case .openai: return "OPENAI_API_KEY"
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .gemini: return "GEMINI_API_KEY"
        }
    }

    /// The model used when none is given: the provider's current general-purpose default.
    public var defaultModel: String {
        switch self {
        case .openai: return "gpt-5.4"
        case .anthropic: return "claude-sonnet-4-6"
        case .gemini: return "gemini-3-flash"
        }
    }

    /// The provider a model name implies (`gpt-*`, `o1`… → openai, `claude-*` → anthropic,
    /// `gemini-*` → gemini), or `nil` when the name does not say.
    public static func inferred(fromModel model: String) -> ProviderKind? {
        let name = model.lowercased()
        if name.hasPrefix("gpt-") || name.hasPrefix("chatgpt-") { return .openai }
        if name.count >= 2, name.hasPrefix("o"), name.dropFirst().first?.isNumber == true { return .openai }
        if name.hasPrefix("claude-") { return .anthropic }
        if name.hasPrefix("gemini-") { return .gemini }
        return nil
    }
}
