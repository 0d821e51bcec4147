import Foundation

/// The state and main loop of one run: the context, the position, and the per-node counters
/// that checkpoints save. Node execution itself is `NodeExecutor`'s.
struct RunLoop {
    private let graph: CompiledGraph
    private var executor: NodeExecutor
    /// The run's root directory (`checkpoint.json`, `manifest.json`), or `nil` for runs without files.
    private let rootDirectory: String?
    private let sink: (any EventSink)?
    /// Whether anyone listens; checked before building events so a run without a sink builds none.
    private let emits: Bool
    private let maxSteps: Int
    private let resumed: Bool

    private var context: Context
    private var current: Int
    private var lastCompleted: String?
    private var completed: [String] = []
    private var timings: [NodeTiming] = []
    /// `completed` and `timings` as rendered JSON array items, kept as the run goes so a checkpoint does not re-render its history.
    private var renderedCompleted = ""
    private var renderedTimings = ""
    private let durability: RunDurability
    /// When the checkpoint was last synced (`batched` durability).
    private var lastSync = ContinuousClock.now
    /// Last status of each node since the last loop restart (goal gates read it).
    private var lastStatus: [OutcomeStatus?]
    /// Executions of each node since the last loop restart.
    private var tries: [Int]
    private var steps = 0
    private var redirects = 0
    private var restarts = 0
    /// Whether the context holds a non-empty `preferred_label` that the next node without one must clear.
    private var labelShown = false
    /// `RunOptions.specRouting`: the specification's last-resort edge and visited-only goal gates.
    var specRouting = false
    /// Set when resuming a checkpoint of a run that had already ended.
    private(set) var finishedResult: RunResult?

    /// Room left in a new run's context for the keys its nodes add, so that typical runs never
    /// grow it (a session turn adds about a dozen).
    static let expectedOutputKeys = 16

    /// A fresh run from the start node.
    init(graph: CompiledGraph, context initial: consuming Context, adapters: AdapterSet, services: RunServices, maxSteps: Int, durability: RunDurability) {
        self.graph = graph
        self.durability = durability
        self.sink = services.events is DiscardingEventSink ? nil : services.events
        self.emits = sink != nil
        let services = services.transcript == nil && graph.keepsTranscript ? Self.withTranscript(services, RunTranscript()) : services
        self.executor = NodeExecutor(graph: graph, adapters: adapters, services: services, sink: sink, maxSteps: maxSteps)
        self.rootDirectory = services.runDirectory
        self.maxSteps = maxSteps
        self.resumed = false
        completed.reserveCapacity(graph.nodes.count)
        timings.reserveCapacity(graph.nodes.count)
        // The initial values win over the mirrored attributes. The table is sized once for
        // the keys the nodes will add: growing it key by key rehashes it each time. When the
        // caller built it with room to spare (`Context.runCapacity`) and handed over its only
        // copy, nothing is copied or rehashed here; otherwise the first write copies it.
        let mirrored = graph.settings.mirroredAttributes
        var context = initial
        context.reserveCapacity(context.count + mirrored.count + 1 + Self.expectedOutputKeys)
        for (key, value) in mirrored where context[key] == nil { context[key] = value }
        if context["internal.loop_restart_count"] == nil { context["internal.loop_restart_count"] = .integer(0) }
        self.context = context
        self.current = graph.startIndex
        self.lastStatus = Self.filled(nil, count: graph.nodes.count)
        self.tries = Self.filled(0, count: graph.nodes.count)
    }

    /// `count` copies of `value`, built by appending to a reserved array. `Array(repeating:count:)`
    /// was not specialized here: it called the standard library's generic allocation, which asks
    /// the runtime's metadata cache for the array's storage type on every call; the specialized
    /// `reserveCapacity` keeps the type in a cache of its own. A session turn on a
    /// `start -> done` graph went from 3.97-4.04 to 3.88-3.93 µs (four alternating pinned runs).
    private static func filled<Element>(_ value: Element, count: Int) -> [Element] {
        var array: [Element] = []
        array.reserveCapacity(count)
        for _ in 0..<count { array.append(value) }
        return array
    }

    /// A run continued from `directory/checkpoint.json`.
    init(resuming directory: String, graph: CompiledGraph, adapters: AdapterSet, services: RunServices, maxSteps: Int, durability: RunDurability) throws(CheckpointError) {
        self.durability = durability
        let path = directory + "/checkpoint.json"
        guard let text = RunFiles.read(path) else {
            throw CheckpointError(path: path, reason: "there is no readable checkpoint.json in \(directory)")
        }
        let checkpoint = try Checkpoint(jsonText: text, path: path)
        guard checkpoint.graphName == graph.name else {
            throw CheckpointError(path: path, reason: "it belongs to pipeline '\(checkpoint.graphName)', not '\(graph.name)'")
        }
        func index(_ id: String) throws(CheckpointError) -> Int {
            guard let index = graph.index(of: id) else {
                throw CheckpointError(path: path, reason: "it names node '\(id)', which the pipeline no longer has")
            }
            return index
        }
        var services = services
        if services.transcript == nil && graph.keepsTranscript {
            services.transcript = RunTranscript(
                stages: checkpoint.timings.map { RunTranscript.Stage(nodeID: $0.nodeID, status: $0.status.rawValue) }, resumed: true)
        }
        // Artifacts go where they went before the process stopped: the root, or the latest restart's directory.
        services.runDirectory = checkpoint.loopRestarts > 0 ? directory + "/restart-\(checkpoint.loopRestarts)" : directory
        self.graph = graph
        self.sink = services.events is DiscardingEventSink ? nil : services.events
        self.emits = sink != nil
        self.executor = NodeExecutor(graph: graph, adapters: adapters, services: services, sink: sink, maxSteps: maxSteps)
        self.rootDirectory = directory
        self.maxSteps = maxSteps
        self.resumed = true
        self.context = checkpoint.context
        self.labelShown = !(checkpoint.context["preferred_label"]?.stringValue.isEmpty ?? true)
        self.lastCompleted = checkpoint.currentNode
        self.completed = checkpoint.completedNodes
        self.timings = checkpoint.timings
        for timing in checkpoint.timings { Checkpoint.appendItem(timing, completed: &renderedCompleted, timings: &renderedTimings) }
        var lastStatus: [OutcomeStatus?] = Self.filled(nil, count: graph.nodes.count)
        for (id, status) in checkpoint.nodeOutcomes { lastStatus[try index(id)] = status }
        var tries: [Int] = Self.filled(0, count: graph.nodes.count)
        for (id, count) in checkpoint.nodeTries { tries[try index(id)] = count }
        self.lastStatus = lastStatus
        self.tries = tries
        self.steps = checkpoint.steps
        self.redirects = checkpoint.goalGateRedirects
        self.restarts = checkpoint.loopRestarts
        if checkpoint.status == "running" {
            guard let next = checkpoint.nextNode else { throw CheckpointError(path: path, reason: "it says the run is going on but names no next node") }
            self.current = try index(next)
        } else {
            self.current = graph.startIndex
            self.finishedResult = RunResult(
                status: OutcomeStatus(rawValue: checkpoint.status) ?? .fail, context: checkpoint.context,
                completedNodes: checkpoint.completedNodes, failureReason: checkpoint.failureReason,
                nodeTimings: checkpoint.timings, runDirectory: directory)
        }
    }

    /// Runs until the run ends.
    mutating func run() async -> RunResult {
        let clock = ContinuousClock()
        let began = clock.now
        if rootDirectory != nil, !resumed { writeManifest() }
        if emits { sink?.emit(RunEvent(.runStarted, fields: ["graph": .string(graph.name), "resumed": .boolean(resumed)])) }
        // A run stopped during its first node must be resumable too.
        if rootDirectory != nil, !resumed { saveCheckpoint() }
        if resumed { setAsideInterruptedOutput() }
        // One clock reading per node: a node's end is the next node's start.
        var nodeBegan = began
        // Cancellation (a graceful stop) is noticed after each handler call (a cancelled handler
        // either throws or has its outcome discarded) and before each node: no node is launched
        // once the run is cancelled, and the checkpoint then names the node to run on resume.
        while true {
            let node = graph.nodes[current]
            if Task.isCancelled {
                return finish(.fail, reason: "the run was cancelled before node '\(node.spec.id)'", since: began, resumable: true)
            }
            if case .exit = node.role, let gate = firstUnsatisfiedGate() {
                let state = lastStatus[gate.index].map { "finished with status '\($0.rawValue)'" } ?? "never ran"
                guard redirects < graph.settings.maxGoalGateRedirects else {
                    return finish(.fail, reason: "goal gate '\(gate.spec.id)' \(state) and the run was already sent back \(redirects) time(s), the limit (max_goal_gate_redirects)", since: began)
                }
                guard let target = gate.retryTarget ?? gate.fallbackRetryTarget ?? graph.settings.retryTarget ?? graph.settings.fallbackRetryTarget else {
                    return finish(.fail, reason: "the run reached exit '\(node.spec.id)' but goal gate '\(gate.spec.id)' \(state), and there is no retry target to send it back to", since: began)
                }
                redirects += 1
                sink?.emit(RunEvent(.goalGateRedirected, nodeID: gate.spec.id, fields: [
                    "gate": .string(gate.spec.id), "target": .string(graph.nodes[target].spec.id),
                ]))
                current = target
                if rootDirectory != nil { saveCheckpoint() }
                nodeBegan = clock.now
                continue
            }
            guard steps < maxSteps else {
                // Name the last failure too: a loop through retry targets usually repeats one.
                let lastFailure = context["failure_reason"].map { "; the last failure was: \($0.stringValue)" } ?? ""
                return finish(.fail, reason: "the run reached its step limit (\(maxSteps) node executions) at node '\(node.spec.id)'; raise --max-steps or the graph's max_steps if the loop is intended" + lastFailure, since: began)
            }
            steps += 1
            context["current_node"] = node.idValue
            if emits { sink?.emit(RunEvent(.nodeStarted, nodeID: node.spec.id, fields: ["attempt": .integer(tries[current])])) }
            let finished: Outcome?
            if node.callsHandlerDirectly {
                // The common case inline (no timeout, no engine role): one async call, the handler's.
                // The outcome is moved, never copied, on the way from the handler to `finished`.
                let first: NodeExecutor.Attempt
                do {
                    let returned = try await node.handler.execute(executor.request(for: node, context: context, tries: tries[current]))
                    first = Task.isCancelled ? .cancelled : .returned(returned)
                } catch {
                    first = Task.isCancelled ? .cancelled : .threw(NodeExecutor.describe(error, node: node))
                }
                tries[current] += 1
                switch consume first {
                case .returned(let returned) where returned.status != .retry:
                    finished = returned
                case let other:
                    finished = await executor.settle(node, after: other, context: &context, tries: &tries[current])
                }
            } else {
                finished = await executor.run(node, context: &context, tries: &tries[current])
            }
            guard let outcome = consume finished else {
                return finish(.fail, reason: "the run was cancelled during node '\(node.spec.id)'", since: began, resumable: true)
            }
            let nodeEnded = clock.now
            let duration = nodeEnded - nodeBegan
            nodeBegan = nodeEnded
            NodeExecutor.apply(outcome, of: node, to: &context, labelShown: &labelShown)
            completed.append(node.spec.id)
            let timing = NodeTiming(nodeID: node.spec.id, status: outcome.status, duration: duration)
            timings.append(timing)
            if rootDirectory != nil { Checkpoint.appendItem(timing, completed: &renderedCompleted, timings: &renderedTimings) }
            if outcome.status != .skipped { lastStatus[current] = outcome.status }
            lastCompleted = node.spec.id
            if rootDirectory != nil { executor.recordStatus(outcome, of: node, duration: duration, tries: tries[current]) }
            if emits { executor.emitFinished(outcome, of: node, duration: duration) }
            if let transcript = executor.services.transcript {
                transcript.record(RunTranscript.Stage(
                    nodeID: node.spec.id, status: outcome.status.rawValue, notes: outcome.failureReason ?? outcome.notes,
                    response: outcome.contextUpdates["last_response"].map { String($0.stringValue.prefix(500)) }))
                transcript.followEdge(fidelity: nil, threadID: nil)
            }

            if case .exit = node.role {
                // An exit node's handler that fails (a plugin's, or an LLM stage named `exit`) fails the run.
                guard outcome.status != .fail else {
                    return finish(.fail, reason: outcome.failureReason ?? "exit node '\(node.spec.id)' failed", since: began)
                }
                return finish(.success, reason: nil, since: began)
            }
            if case .parallel(let join, let joinsAtFanIn) = node.role, joinsAtFanIn || outcome.status != .fail {
                // A fan-in judges the branches itself and routes a failure along its own edges
                // (`outcome=fail`), so even a parallel node whose branches all failed continues there.
                current = join
            } else if outcome.status == .fail {
                if let edge = node.failureEdge(for: outcome, context: context) {
                    follow(node, edge)
                } else if let target = node.retryTarget ?? node.fallbackRetryTarget ?? graph.settings.retryTarget ?? graph.settings.fallbackRetryTarget {
                    current = target
                } else {
                    return finish(.fail, reason: outcome.failureReason ?? "node '\(node.spec.id)' failed", since: began)
                }
            } else if let edge = node.selectEdge(for: outcome, context: context) ?? (specRouting ? node.lastResortEdge : nil) {
                follow(node, edge)
            } else if node.edges.isEmpty {
                if specRouting {
                    // The specification's loop simply stops here: a pipeline that completed, gates unchecked.
                    return finish(.success, reason: nil, since: began)
                }
                if let gate = firstUnsatisfiedGate() {
                    return finish(.fail, reason: "the run ended at '\(node.spec.id)', which has no outgoing edges, before goal gate '\(gate.spec.id)' was satisfied", since: began)
                }
                let reason = outcome.status == .success ? nil
                    : "the run ended at '\(node.spec.id)' (no outgoing edges) with status '\(outcome.status.rawValue)'"
                return finish(outcome.status, reason: reason, since: began)
            } else {
                return finish(.fail, reason: "no outgoing edge of '\(node.spec.id)' is eligible for its outcome '\(outcome.status.rawValue)' (every edge has a condition that does not hold)", since: began)
            }
            if rootDirectory != nil { saveCheckpoint() }
        }
    }

    /// `services` with `transcript` set.
    private static func withTranscript(_ services: RunServices, _ transcript: RunTranscript) -> RunServices {
        var services = services
        services.transcript = transcript
        return services
    }

    /// Moves along edge `position` of `node`, restarting the run at its target when the edge says `loop_restart`.
    private mutating func follow(_ node: CompiledNode, _ position: Int) {
        current = node.edges[position].target
        if node.edges[position].fidelity != nil || node.edges[position].threadID != nil {
            executor.services.transcript?.followEdge(fidelity: node.edges[position].fidelity, threadID: node.edges[position].threadID)
        }
        guard node.edges[position].loopRestart else { return }
        let edge = node.edges[position]
        restarts += 1
        context["internal.loop_restart_count"] = .integer(restarts)
        for index in lastStatus.indices {
            lastStatus[index] = nil
            tries[index] = 0
        }
        var directory: String?
        if let rootDirectory {
            let fresh = rootDirectory + "/restart-\(restarts)"
            var services = executor.services
            services.runDirectory = fresh
            do {
                try RunFiles.createDirectory(fresh)
            } catch {
                sink?.emit(RunEvent("run_file_error", fields: ["reason": .string(error.description)]))
            }
            executor = NodeExecutor(graph: graph, adapters: executor.adapters, services: services, sink: sink, maxSteps: maxSteps)
            directory = fresh
        }
        sink?.emit(RunEvent(.loopRestarted, nodeID: edge.targetID, fields: [
            "target": .string(edge.targetID), "count": .integer(restarts),
            "run_directory": directory.map { .string($0) } ?? .null,
        ]))
    }

    /// The first goal gate (declaration order) whose last status does not satisfy it; a gate that never ran counts as unsatisfied.
    private func firstUnsatisfiedGate() -> CompiledNode? {
        for index in graph.settings.goalGates {
            let gate = graph.nodes[index]
            guard let status = lastStatus[index] else {
                if specRouting { continue }  // the specification checks only the gates that ran
                return gate
            }
            guard gate.satisfiesGate(status) else { return gate }
        }
        return nil
    }

    /// Ends the run. A `resumable` end (cancellation) leaves the last `running` checkpoint in place,
    /// so the run can be resumed like one that was killed.
    private mutating func finish(_ status: OutcomeStatus, reason: String?, since began: ContinuousClock.Instant, resumable: Bool = false) -> RunResult {
        let duration = ContinuousClock.now - began
        // A failure the run recovered from (a fail edge, a retry target) is not the run's failure.
        if status == .success { context["failure_reason"] = nil }
        if rootDirectory != nil, !resumable { saveCheckpoint(status: status.rawValue, failureReason: reason) }
        if status == .success {
            sink?.emit(RunEvent(.runCompleted, duration: duration, fields: ["status": .string(status.rawValue)]))
        } else {
            sink?.emit(RunEvent(.runFailed, duration: duration, fields: [
                "status": .string(status.rawValue), "reason": .string(reason ?? status.rawValue),
            ]))
        }
        return RunResult(
            status: status, context: context, completedNodes: completed, failureReason: reason,
            nodeTimings: timings, runDirectory: rootDirectory, wasCancelled: resumable)
    }

    /// Writes `checkpoint.json` (when the run keeps files): `running` with the next node, or the final status.
    private mutating func saveCheckpoint(status: String = "running", failureReason: String? = nil) {
        guard let rootDirectory else { return }
        // Rendered straight from the per-node arrays in graph order: no dictionaries, no sorting.
        var outcomes = "{"
        var nodeTries = "{"
        for index in graph.nodes.indices {
            if let status = lastStatus[index] {
                if outcomes.utf8.count > 1 { outcomes += ", " }
                JSONText.appendQuoted(graph.nodes[index].spec.id, to: &outcomes)
                outcomes += ": \"" + status.rawValue + "\""
            }
            if tries[index] > 0 {
                if nodeTries.utf8.count > 1 { nodeTries += ", " }
                JSONText.appendQuoted(graph.nodes[index].spec.id, to: &nodeTries)
                nodeTries += ": " + String(tries[index])
            }
        }
        var checkpoint = Checkpoint(
            graphName: graph.name, status: status, currentNode: lastCompleted,
            nextNode: status == "running" ? graph.nodes[current].spec.id : nil,
            completedNodes: [], timings: [], nodeOutcomes: [:], nodeTries: [:], steps: steps,
            goalGateRedirects: redirects, loopRestarts: restarts,
            attemptDirectory: restarts > 0 ? "restart-\(restarts)" : ".", failureReason: failureReason, context: context)
        checkpoint.renderedHistory = (renderedCompleted, renderedTimings)
        checkpoint.renderedCounters = (outcomes + "}", nodeTries + "}")
        let path = rootDirectory + "/checkpoint.json"
        let sync: Bool
        switch durability {
        case .sync: sync = true
        case .off: sync = false
        case .batched:
            let now = ContinuousClock.now
            sync = status != "running" || now - lastSync >= RunDurability.batchInterval
            if sync { lastSync = now }
        }
        do {
            try RunFiles.writeAtomically(checkpoint.jsonText, to: path, sync: sync)
            sink?.emit(RunEvent(.checkpointSaved, nodeID: lastCompleted, fields: ["path": .string(path)]))
        } catch {
            sink?.emit(RunEvent("run_file_error", fields: ["reason": .string(error.description)]))
        }
    }

    /// On resume, moves what an interrupted execution of the next node left in its directory
    /// into `attempt-N` inside it, so the rerun starts clean and the earlier output is kept.
    private func setAsideInterruptedOutput() {
        guard let directory = executor.services.stageDirectory(for: graph.nodes[current].spec.id) else { return }
        do {
            guard let aside = try RunFiles.setAside(directory) else { return }
            sink?.emit(RunEvent("node_output_set_aside", nodeID: graph.nodes[current].spec.id, fields: ["path": .string(aside)]))
        } catch {
            sink?.emit(RunEvent("run_file_error", nodeID: graph.nodes[current].spec.id, fields: ["reason": .string(error.description)]))
        }
    }

    private func writeManifest() {
        guard let rootDirectory else { return }
        let services = executor.services
        let text = RunFiles.jsonObject([
            ("graph", JSONText.quoted(graph.name)),
            ("goal", JSONText.quoted(graph.settings.goal)),
            ("source", graph.sourcePath.map(JSONText.quoted) ?? "null"),
            ("started_at", JSONText.quoted(RunFiles.timestamp())),
            ("registry_generation", String(graph.registryGeneration)),
            ("simulate", services.simulate ? "true" : "false"),
            ("llm", JSONText.quoted(services.simulate ? "simulated (--simulate)" : executor.adapters.llm?.summary ?? "none")),
            ("working_directory", JSONText.quoted(services.workingDirectory)),
            ("nodes", String(graph.nodes.count)),
            ("max_steps", String(maxSteps)),
            ("durability", JSONText.quoted(durability.rawValue)),
        ])
        do {
            try RunFiles.createDirectory(rootDirectory)
            try RunFiles.writeAtomically(text, to: rootDirectory + "/manifest.json")
        } catch {
            sink?.emit(RunEvent("run_file_error", fields: ["reason": .string(error.description)]))
        }
    }
}
