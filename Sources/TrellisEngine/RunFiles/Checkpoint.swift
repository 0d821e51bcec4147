import Foundation

/// A run's position and state, written to `checkpoint.json` after every node so a killed run
/// can be resumed exactly where it stopped (`RunOptions.resumeFrom`).
struct Checkpoint: Sendable {
    /// The format version written and accepted.
    static let formatVersion = 1

    /// The graph's name, checked on resume.
    var graphName: String
    /// `running` while the run can go on; else the run's final status.
    var status: String
    /// The last node that completed.
    var currentNode: String?
    /// The node to run next; `nil` once the run has ended.
    var nextNode: String?
    /// Completed nodes in order.
    var completedNodes: [String]
    /// Timings of the completed nodes.
    var timings: [NodeTiming]
    /// Last status of each node that ran since the last loop restart (goal-gate state).
    var nodeOutcomes: [String: OutcomeStatus]
    /// Executions per node since the last loop restart.
    var nodeTries: [String: Int]
    /// Node executions so far (the `max_steps` guard).
    var steps: Int
    /// Goal-gate redirects so far.
    var goalGateRedirects: Int
    /// Loop restarts so far.
    var loopRestarts: Int
    /// The directory node artifacts go to now, relative to the run directory (`.`, or `restart-N` after restarts).
    var attemptDirectory: String
    /// Why the run failed, once it has.
    var failureReason: String?
    /// The whole context.
    var context: Context

    /// The JSON array items of `completedNodes` and `timings`, already rendered: a run keeps
    /// them as it goes (`Checkpoint.appendItem`), so a checkpoint costs no re-rendering of the
    /// whole history. `nil` renders them from the arrays.
    var renderedHistory: (completedNodes: String, timings: String)?

    /// The `node_outcomes` and `node_retries` objects' text, already rendered by the run (in
    /// graph order, without building and sorting dictionaries per node); `nil` renders them
    /// from `nodeOutcomes` and `nodeTries`.
    var renderedCounters: (outcomes: String, tries: String)?

    /// Appends one completed node to rendered history items (see `renderedHistory`).
    static func appendItem(_ timing: NodeTiming, completed: inout String, timings: inout String) {
        if !completed.isEmpty { completed += ", " }
        JSONText.appendQuoted(timing.nodeID, to: &completed)
        if !timings.isEmpty { timings += ", " }
        timings += "{\"node\": "
        JSONText.appendQuoted(timing.nodeID, to: &timings)
        timings += ", \"status\": \"" + timing.status.rawValue + "\", \"duration_ms\": "
        timings += String(DurationText.milliseconds(timing.duration)) + "}"
    }

    /// The checkpoint as JSON text.
    var jsonText: String {
        let history: (completedNodes: String, timings: String)
        if let renderedHistory {
            history = renderedHistory
        } else {
            var ignored = ""
            var items = ""
            for timing in timings { Self.appendItem(timing, completed: &ignored, timings: &items) }
            history = (completedNodes.map(JSONText.quoted).joined(separator: ", "), items)
        }
        let counters: (outcomes: String, tries: String)
        if let renderedCounters {
            counters = renderedCounters
        } else {
            var outcomes: [String: ContextValue] = [:]
            for (node, status) in nodeOutcomes { outcomes[node] = .string(status.rawValue) }
            var tries: [String: ContextValue] = [:]
            for (node, count) in nodeTries { tries[node] = .integer(count) }
            counters = (ContextValue.map(outcomes).jsonText, ContextValue.map(tries).jsonText)
        }
        return RunFiles.jsonObject([
            ("version", String(Self.formatVersion)),
            ("timestamp", JSONText.quoted(RunFiles.timestamp())),
            ("graph", JSONText.quoted(graphName)),
            ("status", JSONText.quoted(status)),
            ("current_node", currentNode.map(JSONText.quoted) ?? "null"),
            ("next_node", nextNode.map(JSONText.quoted) ?? "null"),
            ("completed_nodes", "[" + history.completedNodes + "]"),
            ("node_timings", "[" + history.timings + "]"),
            ("node_outcomes", counters.outcomes),
            ("node_retries", counters.tries),
            ("steps", String(steps)),
            ("goal_gate_redirects", String(goalGateRedirects)),
            ("loop_restart_count", String(loopRestarts)),
            ("attempt_directory", JSONText.quoted(attemptDirectory)),
            ("failure_reason", failureReason.map(JSONText.quoted) ?? "null"),
            ("context", ContextValue.map(context.values).jsonText),
        ])
    }

    /// Reads a checkpoint written by `jsonText`; the error says what is wrong with the file.
    init(jsonText: String, path: String) throws(CheckpointError) {
        let root: [String: ContextValue]
        do {
            guard case .map(let entries) = try ContextValue(jsonText: jsonText) else {
                throw CheckpointError(path: path, reason: "the file does not hold a JSON object")
            }
            root = entries
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(path: path, reason: "the file is not valid JSON (\(error))")
        }
        func text(_ key: String) throws(CheckpointError) -> String {
            guard case .string(let value)? = root[key] else { throw CheckpointError(path: path, reason: "'\(key)' is missing or not text") }
            return value
        }
        func integer(_ key: String) throws(CheckpointError) -> Int {
            guard case .integer(let value)? = root[key] else { throw CheckpointError(path: path, reason: "'\(key)' is missing or not a whole number") }
            return value
        }
        guard case .integer(let version)? = root["version"], version == Self.formatVersion else {
            throw CheckpointError(path: path, reason: "unsupported checkpoint version (this trellis reads version \(Self.formatVersion))")
        }
        graphName = try text("graph")
        status = try text("status")
        if case .string(let node)? = root["current_node"] { currentNode = node } else { currentNode = nil }
        if case .string(let node)? = root["next_node"] { nextNode = node } else { nextNode = nil }
        guard case .list(let completed)? = root["completed_nodes"] else { throw CheckpointError(path: path, reason: "'completed_nodes' is missing") }
        completedNodes = completed.map(\.stringValue)
        timings = []
        if case .list(let items)? = root["node_timings"] {
            for case .map(let item) in items {
                let status = OutcomeStatus(rawValue: item["status"]?.stringValue ?? "") ?? .fail
                let milliseconds: Double
                switch item["duration_ms"] {
                case .double(let value)?: milliseconds = value
                case .integer(let value)?: milliseconds = Double(value)
                default: milliseconds = 0
                }
                timings.append(NodeTiming(
                    nodeID: item["node"]?.stringValue ?? "", status: status,
                    duration: .microseconds(Int64((milliseconds * 1_000).rounded()))))
            }
        }
        nodeOutcomes = [:]
        if case .map(let outcomes)? = root["node_outcomes"] {
            for (node, value) in outcomes {
                guard let status = OutcomeStatus(rawValue: value.stringValue) else {
                    throw CheckpointError(path: path, reason: "node '\(node)' has unknown status '\(value.stringValue)'")
                }
                nodeOutcomes[node] = status
            }
        }
        nodeTries = [:]
        if case .map(let tries)? = root["node_retries"] {
            for (node, value) in tries { if case .integer(let count) = value { nodeTries[node] = count } }
        }
        steps = try integer("steps")
        goalGateRedirects = try integer("goal_gate_redirects")
        loopRestarts = try integer("loop_restart_count")
        attemptDirectory = try text("attempt_directory")
        if case .string(let reason)? = root["failure_reason"] { failureReason = reason } else { failureReason = nil }
        guard case .map(let values)? = root["context"] else { throw CheckpointError(path: path, reason: "'context' is missing") }
        context = Context(values)
    }

    init(
        graphName: String, status: String, currentNode: String?, nextNode: String?, completedNodes: [String],
        timings: [NodeTiming], nodeOutcomes: [String: OutcomeStatus], nodeTries: [String: Int], steps: Int,
        goalGateRedirects: Int, loopRestarts: Int, attemptDirectory: String, failureReason: String?, context: Context
    ) {
        self.graphName = graphName
        self.status = status
        self.currentNode = currentNode
        self.nextNode = nextNode
        self.completedNodes = completedNodes
        self.timings = timings
        self.nodeOutcomes = nodeOutcomes
        self.nodeTries = nodeTries
        self.steps = steps
        self.goalGateRedirects = goalGateRedirects
        self.loopRestarts = loopRestarts
        self.attemptDirectory = attemptDirectory
        self.failureReason = failureReason
        self.context = context
    }
}

/// A checkpoint could not be used to resume.
struct CheckpointError: Error, Sendable, CustomStringConvertible {
    /// The checkpoint file.
    var path: String
    /// What is wrong.
    var reason: String
    /// `cannot resume from PATH: REASON`.
    var description: String { "cannot resume from \(path): \(reason)" }
}
