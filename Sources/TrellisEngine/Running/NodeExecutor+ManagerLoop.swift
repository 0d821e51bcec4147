import Foundation
import TrellisDOT

extension NodeExecutor {
    /// Runs the manager loop node `node`: loads its child pipeline and runs it (see `ManagerLoopHandler`).
    func runManagerLoop(_ node: CompiledNode, request: HandlerRequest) async -> Outcome {
        let attributes = node.spec.attributes
        guard let named = attributes["stack.child_dotfile"]?.text ?? attributes["manager.pipeline"]?.text
            ?? graph.graph.attributes["stack.child_dotfile"]?.text, !named.isEmpty else {
            return Outcome.failure("manager loop '\(node.spec.id)' names no child pipeline: set stack.child_dotfile on the node or the graph")
        }
        let path: String
        if named.hasPrefix("/") {
            path = named
        } else if let source = graph.sourcePath {
            path = ((source as NSString).deletingLastPathComponent as NSString).appendingPathComponent(named)
        } else {
            path = (services.workingDirectory as NSString).appendingPathComponent(named)
        }
        let child: CompiledGraph
        do {
            child = try PipelineLoader.load(path: path, registry: graph.registry)
        } catch {
            return Outcome.failure("manager loop '\(node.spec.id)' cannot load its child pipeline \(path):\n\(error.description)")
        }
        var stop: CompiledCondition?
        if let text = attributes["manager.stop_condition"]?.text, !text.trimmingSpacesAndNewlines().isEmpty {
            do {
                stop = CompiledCondition(try ConditionParser.parse(text))
            } catch {
                return Outcome.failure("manager loop '\(node.spec.id)' has a manager.stop_condition that does not parse: \(error)")
            }
        }
        let cycles = max(1, attributes["manager.max_cycles"]?.integer ?? 1)
        var updates: [String: ContextValue] = [:]
        var lastReason = "the child pipeline did not run"
        for cycle in 1...cycles {
            var childServices = services
            childServices.runDirectory = services.runDirectory.map { "\($0)/\(node.spec.id)/child-\(cycle)" }
            // A child pipeline is a run of its own: its stages and conversations are not the parent's.
            childServices.transcript = nil
            let result = await Engine().run(
                child, context: request.context, adapters: adapters, services: childServices, options: RunOptions(maxSteps: maxSteps))
            var changes: [String: ContextValue] = [:]
            for (key, value) in result.context.values where request.context[key] != value { changes[key] = value }
            updates = [
                "stack.child.status": .string(result.status == .success ? "completed" : "failed"),
                "stack.child.outcome": .string(result.status.rawValue),
                "stack.child.completed_nodes": .list(result.completedNodes.map { .string($0) }),
                "stack.child.failure_reason": result.failureReason.map { .string($0) } ?? .null,
                "stack.child.cycles": .integer(cycle),
                "stack.child.context": .map(changes),
            ]
            if let stop {
                var observed = result.context
                observed.apply(updates)
                if stop.evaluate(status: result.status, preferredLabel: nil, context: observed) {
                    return Outcome(status: .success, contextUpdates: updates, notes: "stop condition satisfied after \(cycle) cycle(s)")
                }
            } else if result.status == .success {
                return Outcome(status: .success, contextUpdates: updates, notes: "child pipeline '\(child.name)' completed")
            }
            lastReason = result.failureReason ?? "the child pipeline ended with status \(result.status.rawValue)"
            if Task.isCancelled { break }
        }
        return Outcome(
            status: .fail, contextUpdates: updates,
            failureReason: "child pipeline '\(child.name)' did not succeed after \(cycles) cycle(s): \(lastReason)")
    }
}
