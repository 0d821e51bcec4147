import Foundation
import TrellisDOT

extension NodeExecutor {
    /// Runs the manager loop node `node`: starts its child pipeline and supervises it in
    /// observe / steer / wait cycles (see `ManagerLoopHandler` for the attributes).
    func runManagerLoop(_ node: CompiledNode, request: HandlerRequest) async -> Outcome {
        let attributes = node.spec.attributes
        // PipelineChecks refused a manager without a readable child file before the run began;
        // the file can still vanish or break between validation and this node.
        guard let path = PipelineChecks.childPath(of: graph.graph.nodes[node.index], graph: graph.graph, sourcePath: graph.sourcePath) else {
            return Outcome.failure("manager loop '\(node.spec.id)' names no child pipeline: set stack.child_dotfile on the node or the graph")
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
        let settings = ManagerSettings(attributes)
        let telemetry = ChildTelemetry()
        var childServices = services
        childServices.runDirectory = services.runDirectory.map { "\($0)/\(node.spec.id)/child" }
        childServices.events = TelemetrySink(telemetry: telemetry, forward: services.events)
        // A child pipeline is a run of its own: its stages and conversations are not the parent's.
        childServices.transcript = nil
        let childDirectory = childServices.runDirectory
        let childRun = Task { [adapters, maxSteps, context = request.context] in
            let result = await Engine().run(
                child, context: context, adapters: adapters, services: childServices, options: RunOptions(maxSteps: maxSteps))
            telemetry.finish(result)
            return result
        }
        defer { childRun.cancel() }

        var updates: [String: ContextValue] = [:]
        var lastSteered: String?
        for cycle in 1...settings.maxCycles {
            if Task.isCancelled { break }
            let snapshot = telemetry.snapshot()
            if settings.actions.contains("observe") {
                updates = snapshot.contextUpdates(cycle: cycle)
            }
            if settings.actions.contains("steer"), let active = snapshot.activeNode, active != lastSteered,
               let instruction = attributes["prompt"]?.text, !instruction.isEmpty, let childDirectory {
                lastSteered = active
                steer(child: childDirectory, node: active, instruction: instruction, manager: node.spec.id, cycle: cycle)
            }
            if let result = snapshot.result {
                let changes = Self.changes(from: request.context, to: result.context)
                updates = snapshot.contextUpdates(cycle: cycle)
                updates["stack.child.context"] = .map(changes)
                if result.status == .success {
                    return Outcome(status: .success, contextUpdates: updates, notes: "child pipeline '\(child.name)' completed after \(cycle) cycle(s)")
                }
                if let stop, Self.holds(stop, on: result.context, updates: updates, status: result.status) {
                    return Outcome(status: .success, contextUpdates: updates, notes: "stop condition satisfied after \(cycle) cycle(s)")
                }
                return Outcome(
                    status: .fail, contextUpdates: updates,
                    failureReason: "child pipeline '\(child.name)' failed: \(result.failureReason ?? "it ended with status \(result.status.rawValue)")")
            }
            if let stop, Self.holds(stop, on: snapshot.context, updates: updates, status: .success) {
                return Outcome(status: .success, contextUpdates: updates, notes: "stop condition satisfied after \(cycle) cycle(s); the child was stopped")
            }
            if settings.actions.contains("wait") {
                await Self.wait(settings.pollInterval, orUntilEndOf: telemetry)
            } else {
                await Task.yield()
            }
        }
        return Outcome(
            status: .fail, contextUpdates: updates,
            failureReason: "manager loop '\(node.spec.id)' reached manager.max_cycles (\(settings.maxCycles)) before child pipeline '\(child.name)' finished; the child was stopped")
    }

    /// Writes the manager's instruction beside the child's active stage, where that stage's next
    /// LLM call reads it (`LLMStageHandler`: `steer.md`).
    private func steer(child directory: String, node: String, instruction: String, manager: String, cycle: Int) {
        guard let stage = RunServices(runDirectory: directory).stageDirectory(for: node) else { return }
        do {
            try StageArtifacts.write(instruction, named: "steer.md", in: stage)
            sink?.emit(RunEvent("manager_steered", nodeID: manager, fields: ["child_node": .string(node), "cycle": .integer(cycle)]))
        } catch {
            sink?.emit(RunEvent("run_file_error", fields: ["reason": .string("manager loop '\(manager)': \(error)")]))
        }
    }

    private static func changes(from before: Context, to after: Context) -> [String: ContextValue] {
        var changes: [String: ContextValue] = [:]
        for (key, value) in after.values where before[key] != value { changes[key] = value }
        return changes
    }

    private static func holds(_ condition: CompiledCondition, on context: Context, updates: [String: ContextValue], status: OutcomeStatus) -> Bool {
        var observed = context
        observed.apply(updates)
        return condition.evaluate(status: status, preferredLabel: nil, context: observed)
    }

    /// Sleeps `interval`, ending within 50 ms of the child run's end (or at once when this task is
    /// cancelled). Short sleeps rather than awaiting the child's task: awaiting a task's value
    /// cannot be cancelled, so a race against it would wait for the child anyway.
    private static func wait(_ interval: Duration, orUntilEndOf telemetry: ChildTelemetry) async {
        let clock = ContinuousClock()
        let deadline = clock.now + interval
        while !telemetry.hasEnded, !Task.isCancelled {
            let left = deadline - clock.now
            guard left > .zero else { return }
            try? await Task.sleep(for: min(left, .milliseconds(50)))
        }
    }
}

/// A manager loop node's attributes, with the specification's defaults.
private struct ManagerSettings {
    /// `manager.max_cycles` (default 1000).
    var maxCycles: Int
    /// `manager.poll_interval` (default 45s).
    var pollInterval: Duration
    /// `manager.actions` (default `observe,wait`).
    var actions: Set<String>

    init(_ attributes: Attributes) {
        maxCycles = max(1, attributes["manager.max_cycles"]?.integer ?? 1_000)
        pollInterval = attributes["manager.poll_interval"]?.duration ?? .seconds(45)
        let list = attributes["manager.actions"]?.text ?? "observe,wait"
        actions = Set(list.split(separator: ",").map { String($0).trimmingSpacesAndNewlines() })
    }
}

/// What a manager loop has seen of its child run so far; written by the child's event sink
/// (on whatever thread the child runs), read by the manager between cycles.
final class ChildTelemetry: Sendable {
    struct Snapshot {
        var activeNode: String?
        var completedNodes: [String] = []
        var failures = 0
        var retries = 0
        var context = Context()
        var result: RunResult?

        /// The `stack.child.*` keys the manager publishes (the specification's telemetry).
        func contextUpdates(cycle: Int) -> [String: ContextValue] {
            let status: String
            if let result {
                status = result.status == .success ? "completed" : "failed"
            } else {
                status = "running"
            }
            return [
                "stack.child.status": .string(status),
                "stack.child.outcome": result.map { .string($0.status.rawValue) } ?? .null,
                "stack.child.active_node": activeNode.map { .string($0) } ?? .null,
                "stack.child.completed_nodes": .list((result?.completedNodes ?? completedNodes).map { .string($0) }),
                "stack.child.failed_nodes": .integer(failures),
                "stack.child.retries": .integer(retries),
                "stack.child.failure_reason": result?.failureReason.map { .string($0) } ?? .null,
                "stack.child.cycles": .integer(cycle),
            ]
        }
    }

    private let state = LockedValue(Snapshot())

    func record(_ event: RunEvent) {
        state.withLock { snapshot in
            switch event.kind {
            case .nodeStarted: snapshot.activeNode = event.nodeID
            case .nodeCompleted: if let id = event.nodeID { snapshot.completedNodes.append(id) }
            case .nodeFailed:
                snapshot.failures += 1
                if let id = event.nodeID { snapshot.completedNodes.append(id) }
            case .nodeRetrying: snapshot.retries += 1
            default: break
            }
        }
    }

    func finish(_ result: RunResult) { state.withLock { $0.result = result } }

    func snapshot() -> Snapshot { state.withLock { $0 } }

    /// Whether the child run has ended.
    var hasEnded: Bool { state.withLock { $0.result != nil } }
}

/// Feeds a child run's events to its manager's telemetry, and on to the parent run's sink.
private struct TelemetrySink: EventSink {
    let telemetry: ChildTelemetry
    let forward: any EventSink

    func emit(_ event: RunEvent) {
        telemetry.record(event)
        forward.emit(event)
    }
}
