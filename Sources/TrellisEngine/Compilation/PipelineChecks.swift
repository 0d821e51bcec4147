import Foundation
import TrellisDOT

/// The checks a pipeline must pass before it can run that need more than the graph alone: the
/// handler each node really runs on (an unknown `type` falls back to its shape's handler), where
/// each parallel block's branches join, the manager loop's child file, the values `run` would
/// otherwise refuse mid-run. `trellis validate` and `GraphCompiler` both call `check`, so
/// everything `run` refuses before running anything is a `validate` error first.
public enum PipelineChecks {
    /// What the checks found and the facts compilation builds on.
    public struct Result: Sendable {
        /// Errors and warnings, each with a location and a fix.
        public var diagnostics: [Diagnostic] = []
        /// The type each node runs as, by node position: its resolved type when the host knows
        /// it, else its shape's type (the specification's fallback), else the LLM stage's.
        public var effectiveTypes: [String] = []
        /// For each parallel node (by position): where its branches join.
        public var joins: [Int: Int] = [:]
    }

    /// The `join_policy` values the engine runs. The specification's March 2026 text dropped
    /// `k_of_n` and `quorum` (which it never defined beyond one line each).
    public static let joinPolicies = ["wait_all", "first_success"]

    /// Checks `graph` (already transformed, see `GraphCompiler.transform`). `knownTypes` is the
    /// host's node types (`nil`: every resolved type counts as known); `sourcePath` is the file
    /// the graph came from, against which child pipelines resolve (`nil`: the working directory).
    /// `visiting` holds the files of the pipelines whose manager loops led here, so a child that
    /// leads back to one of them is reported instead of checked forever.
    public static func check(
        _ graph: Graph, index: GraphIndex, knownTypes: [String: AttributeSchema]?, sourcePath: String?, visiting: Set<String> = []
    ) -> Result {
        var result = Result()
        result.effectiveTypes = graph.nodes.indices.map { effectiveType(of: $0, in: graph, index: index, knownTypes: knownTypes) }
        for (number, node) in graph.nodes.enumerated() {
            checkTimeout(of: node, into: &result.diagnostics)
            switch result.effectiveTypes[number] {
            case NodeTypes.parallel:
                checkJoinPolicy(of: node, into: &result.diagnostics)
                if let join = join(of: number, in: graph, index: index, types: result.effectiveTypes, into: &result.diagnostics) {
                    result.joins[number] = join
                }
            case NodeTypes.managerLoop:
                checkChild(of: node, graph: graph, sourcePath: sourcePath, knownTypes: knownTypes, visiting: visiting, into: &result.diagnostics)
            default:
                break
            }
        }
        return result
    }

    /// The type node `number` runs as (see `Result.effectiveTypes`).
    static func effectiveType(of number: Int, in graph: Graph, index: GraphIndex, knownTypes: [String: AttributeSchema]?) -> String {
        let resolved = index.nodeTypes[number]
        guard let knownTypes, knownTypes[resolved] == nil else { return resolved }
        let attributes = graph.nodes[number].attributes
        if let shape = attributes.raw("shape"), let byShape = NodeTypes.byShape[shape], knownTypes[byShape] != nil { return byShape }
        return NodeTypes.llm
    }

    /// The child pipeline file of a manager loop node, resolved against `sourcePath`'s
    /// directory; `nil` when the node and the graph name none.
    public static func childPath(of node: GraphNode, graph: Graph, sourcePath: String?) -> String? {
        let named = node.attributes["stack.child_dotfile"]?.text ?? node.attributes["manager.pipeline"]?.text
            ?? graph.attributes["stack.child_dotfile"]?.text
        guard let named, !named.isEmpty else { return nil }
        if named.hasPrefix("/") { return named }
        let base = sourcePath.map { ($0 as NSString).deletingLastPathComponent } ?? FileManager.default.currentDirectoryPath
        return (base.isEmpty ? "." : base) + "/" + named
    }

    private static func checkTimeout(of node: GraphNode, into diagnostics: inout [Diagnostic]) {
        guard let value = node.attributes["timeout"] else { return }
        if let duration = value.duration, duration > .zero { return }
        diagnostics.append(Diagnostic(
            rule: "timeout_value", severity: .error,
            message: "node '\(node.id)' has timeout '\(value.raw)', which is not a positive duration",
            location: value.location ?? node.location, node: node.id, fix: "write a duration such as 30s, 15m or 250ms"))
    }

    private static func checkJoinPolicy(of node: GraphNode, into diagnostics: inout [Diagnostic]) {
        guard let value = node.attributes["join_policy"], !joinPolicies.contains(value.text) else { return }
        let dropped = value.text == "k_of_n" || value.text == "quorum"
        diagnostics.append(Diagnostic(
            rule: "join_policy", severity: .error,
            message: "parallel node '\(node.id)' has join_policy '\(value.text)'"
                + (dropped ? ", which the specification no longer defines (dropped in March 2026)" : ", which is not a join policy"),
            location: value.location ?? node.location, node: node.id,
            fix: "use join_policy=wait_all (every branch runs; default) or join_policy=first_success"))
    }

    private static func checkChild(
        of node: GraphNode, graph: Graph, sourcePath: String?, knownTypes: [String: AttributeSchema]?, visiting: Set<String>,
        into diagnostics: inout [Diagnostic]
    ) {
        if let autostart = node.attributes["stack.child_autostart"], autostart.boolean == false {
            diagnostics.append(Diagnostic(
                rule: "manager_child", severity: .error,
                message: "manager loop '\(node.id)' sets stack.child_autostart=false, but Trellis supervises only a child it starts itself",
                location: autostart.location ?? node.location, node: node.id,
                fix: "remove stack.child_autostart (the child starts with the node)"))
        }
        guard let path = childPath(of: node, graph: graph, sourcePath: sourcePath) else {
            diagnostics.append(Diagnostic(
                rule: "manager_child", severity: .error,
                message: "manager loop '\(node.id)' names no child pipeline",
                location: node.location, node: node.id,
                fix: "set stack.child_dotfile=\"child.dot\" on the node or the graph (relative to this file)"))
            return
        }
        let value = node.attributes["stack.child_dotfile"] ?? node.attributes["manager.pipeline"] ?? graph.attributes["stack.child_dotfile"]
        func report(_ message: String, fix: String) {
            diagnostics.append(Diagnostic(
                rule: "manager_child", severity: .error, message: "manager loop '\(node.id)': " + message,
                location: value?.location ?? node.location, node: node.id, fix: fix))
        }
        let standardized = canonical(path)
        var ancestors = visiting
        if let sourcePath { ancestors.insert(canonical(sourcePath)) }
        guard !ancestors.contains(standardized) else {
            report("its child pipeline '\(path)' leads back to a pipeline that contains it, so it would supervise itself forever",
                   fix: "point stack.child_dotfile at a pipeline that does not (directly or through its children) include this one")
            return
        }
        let parsed: ParseResult
        do {
            parsed = try DOTParser.parse(fileAt: path)
        } catch {
            report("its child pipeline '\(path)' cannot be read (\(error.reason))",
                   fix: "create the child pipeline there, or correct stack.child_dotfile (relative paths start at this file's directory)")
            return
        }
        // The child is checked as `run` will compile it when the node starts, so a broken child is found now.
        var findings = parsed.diagnostics
        if let child = parsed.graph {
            findings += GraphCompiler.validate(child, knownTypes: knownTypes, sourcePath: path, visiting: ancestors)
        }
        let errors = findings.filter { $0.severity == .error }
        guard let first = errors.first else { return }
        let place = first.location.map { "\($0): " } ?? "\(path): "
        report("its child pipeline '\(path)' has \(errors.count) error(s), the first: \(place)\(first.message) [\(first.rule)]",
               fix: "run 'trellis validate \(path)' and fix the child")
    }

    /// `path` absolute and standardized, so two spellings of one file compare equal.
    private static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }

    /// Where the branches of parallel node `number` join: the nearest fan-in node
    /// (`parallel.fan_in`) reachable from its branches, else the nearest node every branch
    /// reaches (the branches join where they meet, and an exit node is such a place).
    /// Breadth first from the parallel node, so "nearest" is the fewest edges away.
    /// Reports `parallel_join` and returns `nil` when the branches never meet.
    static func join(of number: Int, in graph: Graph, index: GraphIndex, types: [String], into diagnostics: inout [Diagnostic]) -> Int? {
        let starts = index.outgoingEdges(of: number).compactMap { index.edgeHeads[$0] }
        let node = graph.nodes[number]
        guard !starts.isEmpty else {
            diagnostics.append(Diagnostic(
                rule: "parallel_join", severity: .error, message: "parallel node '\(node.id)' has no branches (outgoing edges)",
                location: node.location, node: node.id, fix: "add an edge from '\(node.id)' to the first node of each branch"))
            return nil
        }
        let order = breadthFirst(from: starts, excluding: number, index: index)
        if let fanIn = order.first(where: { types[$0] == NodeTypes.fanIn }) { return fanIn }
        var reachedByAll = [Bool](repeating: true, count: graph.nodes.count)
        for start in starts {
            var reached = [Bool](repeating: false, count: graph.nodes.count)
            for reachedNode in breadthFirst(from: [start], excluding: number, index: index) { reached[reachedNode] = true }
            for position in reachedByAll.indices where !reached[position] { reachedByAll[position] = false }
        }
        if let meeting = order.first(where: { reachedByAll[$0] }) { return meeting }
        let branchIDs = starts.map { "'\(graph.nodes[$0].id)'" }.joined(separator: ", ")
        diagnostics.append(Diagnostic(
            rule: "parallel_join", severity: .error,
            message: "the branches of parallel node '\(node.id)' (\(branchIDs)) never meet: no fan-in node and no node that every branch reaches",
            location: node.location, node: node.id,
            fix: "lead every branch to one node, e.g. a fan-in 'join [shape=tripleoctagon]', or to the exit"))
        return nil
    }

    /// The nodes reachable from `starts` (included) in breadth-first order, never entering `excluded`.
    private static func breadthFirst(from starts: [Int], excluding excluded: Int, index: GraphIndex) -> [Int] {
        var seen = Set<Int>([excluded])
        var order: [Int] = []
        var queue = starts
        var position = 0
        while position < queue.count {
            let current = queue[position]
            position += 1
            guard seen.insert(current).inserted else { continue }
            order.append(current)
            queue.append(contentsOf: index.outgoingEdges(of: current).compactMap { index.edgeHeads[$0] })
        }
        return order
    }
}
