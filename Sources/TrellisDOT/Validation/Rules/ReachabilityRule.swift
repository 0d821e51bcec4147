/// `reachability` (error): every node can be reached from the start node along edges.
/// A node nothing leads to never runs, which usually means a missing or misspelt edge.
/// Skipped when there is no start node (`start_node` reports that).
public struct ReachabilityRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `reachability`.
    public var id: String { "reachability" }

    /// Reports each node not reachable from the start node(s).
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        guard !index.startNodes.isEmpty else { return [] }
        let reached = index.reachable(from: index.startNodes)
        let startID = graph.nodes[index.startNodes[0]].id
        var diagnostics: [Diagnostic] = []
        for number in graph.nodes.indices where !reached[number] {
            let node = graph.nodes[number]
            diagnostics.append(Diagnostic(
                rule: id, severity: .error,
                message: "node '\(node.id)' cannot be reached from the start node '\(startID)'",
                location: node.location, node: node.id,
                fix: "add an edge into '\(node.id)' from a reachable node, or remove it"))
        }
        return diagnostics
    }
}
