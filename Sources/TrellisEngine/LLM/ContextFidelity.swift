/// How much of the run an LLM stage's request carries (the specification's context fidelity).
///
/// - `full`: the conversation of the stage's thread so far (every earlier request and answer
///   of nodes that resolved to the same thread key) goes with the request as messages.
/// - `truncate`: a fresh conversation with only the goal and the run id.
/// - `compact` (the default): a fresh conversation with a bullet summary of the completed
///   stages and their outcomes and the run's context values.
/// - `summary:low|medium|high`: a fresh conversation with a text summary of growing detail
///   (about 600, 1,500 and 3,000 tokens at most).
public enum ContextFidelity: Sendable, Equatable, CustomStringConvertible {
    /// The thread's whole conversation.
    case full
    /// Goal and run id only.
    case truncate
    /// Bullet summary of stages, outcomes and context.
    case compact
    /// Text summary with the given detail.
    case summary(Detail)

    /// The detail of a `summary` mode.
    public enum Detail: String, Sendable, Equatable {
        /// About 600 tokens.
        case low
        /// About 1,500 tokens.
        case medium
        /// About 3,000 tokens.
        case high
    }

    /// The mode when no edge, node or graph sets one.
    public static let defaultMode = ContextFidelity.compact

    /// Parses `full`, `truncate`, `compact`, `summary:low`, `summary:medium`, `summary:high`; `nil` otherwise.
    public init?(_ text: String) {
        switch text {
        case "full": self = .full
        case "truncate": self = .truncate
        case "compact": self = .compact
        case "summary:low": self = .summary(.low)
        case "summary:medium": self = .summary(.medium)
        case "summary:high": self = .summary(.high)
        default: return nil
        }
    }

    /// The mode as written in a graph.
    public var description: String {
        switch self {
        case .full: return "full"
        case .truncate: return "truncate"
        case .compact: return "compact"
        case .summary(let detail): return "summary:" + detail.rawValue
        }
    }

    /// The mode for a node: the incoming edge's `fidelity`, else the node's, else the graph's
    /// `default_fidelity`, else `compact`. A value that is not a mode is skipped
    /// (`validate` warns about it: rule `fidelity_valid`).
    public static func resolve(edge: String?, node: String?, graph: String?) -> ContextFidelity {
        for candidate in [edge, node, graph] {
            if let candidate, let mode = ContextFidelity(candidate) { return mode }
        }
        return defaultMode
    }
}
