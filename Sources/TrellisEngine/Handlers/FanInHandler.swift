import TrellisDOT

/// The fan-in (`tripleoctagon`, type `parallel.fan_in`): picks the best branch result of the
/// parallel node before it and merges that branch's context changes into the run.
///
/// Without a `prompt`, best means: by status (success, partial success, retry, fail, skipped),
/// then by the branch's numeric `score` context value (higher first, missing is 0), then by
/// branch id. With a `prompt`, the model ranks the candidates (the specification's
/// `llm_evaluate`): it gets the prompt and every branch's id, status, score, failure reason and
/// changed keys, and names the winner on a line `best: <branch id>` or in its status block's
/// `context_updates` as `best_id`. An answer that names no candidate fails the node rather than
/// fall back to the heuristic; `prompt.md` and `response.md` are written as for an LLM stage.
///
/// The node finishes with the chosen branch's status when it succeeded at least partially, and
/// fails when no branch did. It records `parallel.fan_in.best_id` and `parallel.fan_in.best_outcome`.
public struct FanInHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Selects and merges the best branch.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard case .list(let items)? = request.context[ParallelResults.resultsKey], !items.isEmpty else {
            return Outcome.failure("fan-in node '\(request.node.id)' found no parallel results: it must follow a parallel node's branches")
        }
        let candidates = items.compactMap(ParallelResults.Branch.init(value:))
        guard let heuristicBest = candidates.min(by: ParallelResults.Branch.ranksBefore) else {
            return Outcome.failure("fan-in node '\(request.node.id)' could not read the parallel results")
        }
        let reasons = candidates.map { "\($0.id): \($0.failureReason ?? $0.status.rawValue)" }.joined(separator: "; ")
        guard heuristicBest.status == .success || heuristicBest.status == .partialSuccess else {
            return Outcome(status: .fail, contextUpdates: [
                "parallel.fan_in.best_id": .string(heuristicBest.id),
                "parallel.fan_in.best_outcome": .string(heuristicBest.status.rawValue),
            ], failureReason: "no branch succeeded (\(reasons))")
        }
        var best = heuristicBest
        var notes = "selected branch '\(best.id)' (\(best.status.rawValue))"
        if let instruction = request.node.attributes["prompt"]?.text, !instruction.isEmpty {
            switch try await rank(candidates, instruction: instruction, request: request) {
            case .chosen(let chosen, let answer):
                best = chosen
                notes = "the model chose branch '\(chosen.id)' (\(chosen.status.rawValue)): " + String(answer.prefix(200))
            case .failed(let reason):
                return Outcome.failure("fan-in node '\(request.node.id)': \(reason)")
            }
        }
        var updates: [String: ContextValue] = [:]
        for (key, value) in best.changes where !ParallelResults.engineKeys.contains(key) { updates[key] = value }
        updates["parallel.fan_in.best_id"] = .string(best.id)
        updates["parallel.fan_in.best_outcome"] = .string(best.status.rawValue)
        guard best.status == .success || best.status == .partialSuccess else {
            return Outcome(status: .fail, contextUpdates: updates, failureReason: "the model chose branch '\(best.id)', which did not succeed (\(reasons))")
        }
        return Outcome(status: best.status, contextUpdates: updates, notes: notes)
    }

    private enum Ranking {
        case chosen(ParallelResults.Branch, answer: String)
        case failed(String)
    }

    /// Asks the model which candidate is best (see the type's summary).
    private func rank(_ candidates: [ParallelResults.Branch], instruction: String, request: HandlerRequest) async throws -> Ranking {
        guard let model = LLMStageHandler.model(for: request) else {
            return .failed("its prompt asks a model to rank the branches, but this run has no LLM adapter; configure one, or run with --simulate")
        }
        var prompt = instruction + "\n\nCandidates (one per parallel branch):\n"
        for candidate in candidates {
            prompt += "\n- id: \(candidate.id)\n  status: \(candidate.status.rawValue)\n  score: \(candidate.score)\n"
            if let reason = candidate.failureReason { prompt += "  failure_reason: \(reason)\n" }
            for key in candidate.changes.keys.sorted() where !ParallelResults.engineKeys.contains(key) {
                prompt += "  \(key): \(String(candidate.changes[key]!.stringValue.prefix(500)))\n"
            }
        }
        prompt += "\nAnswer with a line 'best: <id>' naming the best candidate."
        let stageDirectory = request.services.stageDirectory(for: request.node.id)
        if let stageDirectory { try? StageArtifacts.write(prompt, named: "prompt.md", in: stageDirectory) }
        // The ranking is a question of its own about the branches' results, not a stage of a
        // thread: it is sent as written, whatever the run's fidelity.
        let question = LLMStageHandler.Conversation(fidelity: nil, thread: nil, messages: [], prompt: prompt)
        let response = try await model.complete(LLMStageHandler.llmRequest(question, request: request, stageDirectory: stageDirectory))
        if let stageDirectory { try? StageArtifacts.write(response.content, named: "response.md", in: stageDirectory) }
        guard let named = Self.namedCandidate(in: response.content) else {
            return .failed("the model's answer names no candidate (expected a line 'best: <id>' with one of: "
                + candidates.map(\.id).joined(separator: ", ") + ")")
        }
        guard let chosen = candidates.first(where: { $0.id == named }) else {
            return .failed("the model chose '\(named)', which is not one of the branches (" + candidates.map(\.id).joined(separator: ", ") + ")")
        }
        return .chosen(chosen, answer: response.content)
    }

    /// The candidate id the answer names: its status block's `context_updates.best_id`, else the
    /// last line that reads `best: <id>` (case-insensitive key, surrounding quotes and backticks dropped).
    static func namedCandidate(in answer: String) -> String? {
        if case .found(let block) = StatusBlock.find(in: answer), let id = block.outcome.contextUpdates["best_id"]?.stringValue, !id.isEmpty {
            return id
        }
        var named: String?
        for line in answer.split(whereSeparator: \.isNewline) {
            let trimmed = String(line).trimmingSpacesAndNewlines()
            guard trimmed.lowercased().hasPrefix("best:") else { continue }
            let value = trimmed.dropFirst(5).trimmingCharacters(in: " \t\"'`*")
            if !value.isEmpty { named = value }
        }
        return named
    }

    /// The built-in registration of type `parallel.fan_in`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.fanIn, handler: FanInHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "prompt", type: .string, summary: "when set, a model ranks the branches with this instruction"),
            AttributeSpec(name: "llm_model", type: .string, summary: "model for the ranking"),
            AttributeSpec(name: "llm_provider", type: .string, summary: "provider for the ranking"),
        ]),
        summary: "joins parallel branches: keeps the best result (status, score, id, or a model's ranking when it has a prompt) and merges its context")
}

private extension Substring {
    /// The text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
