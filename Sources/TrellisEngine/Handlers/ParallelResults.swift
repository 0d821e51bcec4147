/// How a parallel node records its branches in the context, so nothing a branch produced is lost:
///
/// - `parallel.results`: a list with one map per branch, in edge order: `id`, `status`,
///   `failure_reason`, `score`, `completed_nodes`, `context` (every key the branch changed, with its value).
/// - `parallel.<node>.<branch>.<key>`: each key the branch changed, namespaced by parallel node and branch id.
/// - `parallel.<node>.<branch>.outcome` (and `.failure_reason`): how the branch ended.
/// - `parallel.<node>.branches`: the branch ids; `parallel.node`: the id of the parallel node that ran last.
public enum ParallelResults {
    /// The key of the per-branch result list the fan-in reads.
    public static let resultsKey = "parallel.results"
    /// Keys the engine maintains per node; a fan-in does not copy them from the winning branch.
    static let engineKeys: Set<String> = ["current_node", "outcome", "preferred_label", "last_stage", "failure_reason"]

    /// One branch's result.
    struct Branch: Sendable {
        var id: String
        var index: Int
        var status: OutcomeStatus
        var failureReason: String?
        var score: Double
        var completedNodes: [String]
        var changes: [String: ContextValue]

        init(id: String, index: Int, status: OutcomeStatus, failureReason: String?, score: Double, completedNodes: [String], changes: [String: ContextValue]) {
            self.id = id
            self.index = index
            self.status = status
            self.failureReason = failureReason
            self.score = score
            self.completedNodes = completedNodes
            self.changes = changes
        }

        /// Reads a branch back from its `parallel.results` entry.
        init?(value: ContextValue) {
            guard case .map(let fields) = value, case .string(let id)? = fields["id"],
                  let status = OutcomeStatus(rawValue: fields["status"]?.stringValue ?? "") else { return nil }
            self.id = id
            self.index = { if case .integer(let index)? = fields["index"] { index } else { 0 } }()
            self.status = status
            self.failureReason = { if case .string(let reason)? = fields["failure_reason"] { reason } else { nil } }()
            switch fields["score"] {
            case .double(let score)?: self.score = score
            case .integer(let score)?: self.score = Double(score)
            default: self.score = 0
            }
            if case .list(let nodes)? = fields["completed_nodes"] { completedNodes = nodes.map(\.stringValue) } else { completedNodes = [] }
            if case .map(let changes)? = fields["context"] { self.changes = changes } else { self.changes = [:] }
        }

        /// The entry written to `parallel.results`.
        var value: ContextValue {
            .map([
                "id": .string(id), "index": .integer(index), "status": .string(status.rawValue),
                "failure_reason": failureReason.map { .string($0) } ?? .null, "score": .double(score),
                "completed_nodes": .list(completedNodes.map { .string($0) }), "context": .map(changes),
            ])
        }

        /// Fan-in order: status rank, then higher score, then id.
        static func ranksBefore(_ lhs: Branch, _ rhs: Branch) -> Bool {
            let left = rank(lhs.status), right = rank(rhs.status)
            if left != right { return left < right }
            if lhs.score != rhs.score { return lhs.score > rhs.score }
            return lhs.id < rhs.id
        }

        private static func rank(_ status: OutcomeStatus) -> Int {
            switch status {
            case .success: return 0
            case .partialSuccess: return 1
            case .retry: return 2
            case .fail: return 3
            case .skipped: return 4
            }
        }
    }
}
