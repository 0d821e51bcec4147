import TrellisDOT

extension NodeExecutor {
    /// Runs the branches of parallel node `node` concurrently (bounded by `max_parallel`), each
    /// on a copy of the request's context, and returns the node's outcome with every branch's
    /// results as context updates (see `ParallelResults`).
    func runParallel(_ node: CompiledNode, join: Int, request: HandlerRequest) async -> Outcome {
        let edges = node.edges
        guard !edges.isEmpty else { return Outcome.failure("parallel node '\(node.spec.id)' has no branches (outgoing edges)") }
        // Validation (PipelineChecks) refused any other join_policy before the run began.
        let policy = node.spec.attributes["join_policy"]?.text ?? "wait_all"
        let limit = max(1, node.spec.attributes["max_parallel"]?.integer ?? 4)
        let parent = request.context
        let cancelReason = policy == "first_success" ? "another branch succeeded first (join_policy=first_success)" : "the run was cancelled"
        var results = [ParallelResults.Branch?](repeating: nil, count: edges.count)
        var stoppedEarly = false

        await withTaskGroup(of: ParallelResults.Branch.self) { group in
            var launched = 0
            while launched < min(limit, edges.count) {
                let index = launched
                group.addTask { await self.walkBranch(index: index, from: edges[index].target, join: join, context: parent, cancelReason: cancelReason) }
                launched += 1
            }
            while let result = await group.next() {
                results[result.index] = result
                if policy == "first_success", result.status == .success, !stoppedEarly {
                    stoppedEarly = true
                    group.cancelAll()
                }
                if !stoppedEarly, launched < edges.count {
                    let index = launched
                    group.addTask { await self.walkBranch(index: index, from: edges[index].target, join: join, context: parent, cancelReason: cancelReason) }
                    launched += 1
                }
            }
        }

        var branches: [ParallelResults.Branch] = []
        for (index, result) in results.enumerated() {
            branches.append(result ?? ParallelResults.Branch(
                id: edges[index].targetID, index: index, status: .skipped,
                failureReason: "not started: another branch already succeeded (first_success)",
                score: 0, completedNodes: [], changes: [:]))
        }
        return Self.outcome(of: node, branches: branches, policy: policy)
    }

    private static func outcome(of node: CompiledNode, branches: [ParallelResults.Branch], policy: String) -> Outcome {
        let prefix = "parallel." + node.spec.id + "."
        var updates: [String: ContextValue] = [
            ParallelResults.resultsKey: .list(branches.map(\.value)),
            "parallel.node": .string(node.spec.id),
            prefix + "branches": .list(branches.map { .string($0.id) }),
        ]
        for branch in branches {
            let branchPrefix = prefix + branch.id + "."
            for (key, value) in branch.changes { updates[branchPrefix + key] = value }
            updates[branchPrefix + "outcome"] = .string(branch.status.rawValue)
            if let reason = branch.failureReason { updates[branchPrefix + "failure_reason"] = .string(reason) }
        }
        let succeeded = branches.filter { $0.status == .success }.count
        let partial = branches.filter { $0.status == .partialSuccess }.count
        let summary = "\(succeeded) of \(branches.count) branch(es) succeeded" + (partial > 0 ? ", \(partial) partially" : "")
        let failures = branches.filter { $0.status != .success && $0.status != .partialSuccess }
            .map { "\($0.id): \($0.failureReason ?? $0.status.rawValue)" }.joined(separator: "; ")
        let status: OutcomeStatus
        if policy == "first_success" {
            status = succeeded > 0 ? .success : (partial > 0 ? .partialSuccess : .fail)
        } else if succeeded == branches.count {
            status = .success
        } else {
            status = succeeded + partial > 0 ? .partialSuccess : .fail
        }
        return Outcome(
            status: status, contextUpdates: updates, notes: summary,
            failureReason: status == .success ? nil : summary + (failures.isEmpty ? "" : " (\(failures))"))
    }

    /// Runs one branch from `start` until the join node (or a node with nowhere to go) on its own
    /// copy of the context. Inside a branch a failed node follows its failure edge if it has one;
    /// otherwise the branch ends failed (retry targets are not followed: they could leave the branch).
    func walkBranch(
        index: Int, from start: Int, join: Int, context parent: Context,
        cancelReason: String = "the run was cancelled"
    ) async -> ParallelResults.Branch {
        let branchID = graph.nodes[start].spec.id
        sink?.emit(RunEvent(.branchStarted, nodeID: branchID, fields: ["branch": .string(branchID), "index": .integer(index)]))
        let clock = ContinuousClock()
        let began = clock.now
        var context = parent
        var current = start
        var completed: [String] = []
        var last = Outcome(status: .success)
        var steps = 0
        var tries = [Int](repeating: 0, count: graph.nodes.count)
        var labelShown = !(parent["preferred_label"]?.stringValue.isEmpty ?? true)
        walk: while current != join {
            let node = graph.nodes[current]
            if case .exit = node.role { break }
            guard steps < maxSteps else {
                last = Outcome.failure("branch '\(branchID)' reached the step limit (\(maxSteps)) at node '\(node.spec.id)'")
                break
            }
            steps += 1
            context["current_node"] = node.idValue
            sink?.emit(RunEvent(.nodeStarted, nodeID: node.spec.id, fields: ["branch": .string(branchID)]))
            let nodeBegan = clock.now
            guard let outcome = await run(node, context: &context, tries: &tries[current]) else {
                last = Outcome.failure("branch '\(branchID)' was cancelled at node '\(node.spec.id)'")
                sink?.emit(RunEvent(.nodeCancelled, nodeID: node.spec.id, duration: clock.now - nodeBegan, fields: [
                    "branch": .string(branchID), "reason": .string(cancelReason),
                ]))
                break
            }
            let duration = clock.now - nodeBegan
            Self.apply(outcome, of: node, to: &context, labelShown: &labelShown)
            recordStatus(outcome, of: node, duration: duration, tries: tries[current])
            emitFinished(outcome, of: node, duration: duration)
            completed.append(node.spec.id)
            last = outcome
            if case .parallel(let nestedJoin, let joinsAtFanIn) = node.role, joinsAtFanIn || outcome.status != .fail {
                current = nestedJoin
                continue
            }
            if outcome.status == .fail {
                guard let edge = node.failureEdge(for: outcome, context: context) else { break walk }
                current = node.edges[edge].target
                continue
            }
            guard let edge = node.selectEdge(for: outcome, context: context) else {
                if !node.edges.isEmpty {
                    last = Outcome.failure("no outgoing edge of '\(node.spec.id)' matches its outcome '\(outcome.status.rawValue)'")
                }
                break
            }
            current = node.edges[edge].target
        }
        var changes: [String: ContextValue] = [:]
        context.forEach { key, value in if parent[key] != value { changes[key] = value } }
        let score: Double
        switch changes["score"] {
        case .double(let value)?: score = value
        case .integer(let value)?: score = Double(value)
        case .string(let text)?: score = Double(text) ?? 0
        default: score = 0
        }
        let branch = ParallelResults.Branch(
            id: branchID, index: index, status: last.status,
            failureReason: last.status == .success ? nil : last.failureReason,
            score: score, completedNodes: completed, changes: changes)
        sink?.emit(RunEvent(.branchCompleted, nodeID: branchID, duration: clock.now - began, fields: [
            "branch": .string(branchID), "index": .integer(index), "status": .string(last.status.rawValue),
        ]))
        return branch
    }
}
