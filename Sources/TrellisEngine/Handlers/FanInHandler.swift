import TrellisDOT

/// The fan-in (`tripleoctagon`, type `parallel.fan_in`): picks the best branch result of the
/// parallel node before it and merges that branch's context changes into the run.
///
/// Best means: by status (success, partial success, retry, fail, skipped), then by the branch's
/// numeric `score` context value (higher first, missing is 0), then by branch id. The node
/// succeeds (or partially succeeds) as the best branch did, and fails when no branch succeeded
/// even partially. It records `parallel.fan_in.best_id` and `parallel.fan_in.best_outcome`.
public struct FanInHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Selects and merges the best branch.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard case .list(let items)? = request.context[ParallelResults.resultsKey], !items.isEmpty else {
            return Outcome.failure("fan-in node '\(request.node.id)' found no parallel results: it must follow a parallel node's branches")
        }
        let candidates = items.compactMap(ParallelResults.Branch.init(value:))
        guard let best = candidates.min(by: ParallelResults.Branch.ranksBefore) else {
            return Outcome.failure("fan-in node '\(request.node.id)' could not read the parallel results")
        }
        var updates: [String: ContextValue] = [:]
        if best.status == .success || best.status == .partialSuccess {
            for (key, value) in best.changes where !ParallelResults.engineKeys.contains(key) { updates[key] = value }
        }
        updates["parallel.fan_in.best_id"] = .string(best.id)
        updates["parallel.fan_in.best_outcome"] = .string(best.status.rawValue)
        switch best.status {
        case .success, .partialSuccess:
            return Outcome(status: best.status, contextUpdates: updates, notes: "selected branch '\(best.id)' (\(best.status.rawValue))")
        default:
            let reasons = candidates.map { "\($0.id): \($0.failureReason ?? $0.status.rawValue)" }.joined(separator: "; ")
            return Outcome(status: .fail, contextUpdates: updates, failureReason: "no branch succeeded (\(reasons))")
        }
    }

    /// The built-in registration of type `parallel.fan_in`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.fanIn, handler: FanInHandler(),
        summary: "joins parallel branches: keeps the best result (status, score, id) and merges its context")
}
