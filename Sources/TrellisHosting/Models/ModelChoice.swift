import TrellisProviders

/// The model a host talks to, once flags, the configuration file and the environment were read.
public enum ModelChoice: Sendable {
    /// A real model server.
    case provider(ProviderSettings)
    /// The offline model: no provider was configured or found, and it says so in every reply.
    case offline(reason: String)
    /// The simulated model of tests and benchmarks (`--llm simulated`, `run --simulate`).
    case simulated
    /// An adapter a plugin provides, by its qualified name.
    case adapter(String)

    /// The catalog name sessions use for it.
    public var adapterName: String {
        switch self {
        case .provider(let settings): return settings.kind.rawValue
        case .offline: return "offline"
        case .simulated: return "simulated"
        case .adapter(let name): return name
        }
    }

    /// What the banner says: `openai gpt-5.4 at https://api.openai.com/v1`, `offline model (...)`.
    public var summary: String {
        switch self {
        case .provider(let settings): return settings.description
        case .offline(let reason): return "offline model — \(reason)"
        case .simulated: return "simulated model (answers 'Response N'; for tests and benchmarks)"
        case .adapter(let name): return "plugin adapter \(name)"
        }
    }
}
