/// `edge_target_exists` (error): both ends of every edge are nodes of the graph.
///
/// A parsed DOT file always satisfies this (mentioning a node in an edge declares it), but
/// graphs built or transformed in code need not.
public struct EdgeTargetExistsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `edge_target_exists`.
    public var id: String { "edge_target_exists" }

    /// Reports each edge end that names a missing node.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        var diagnostics: [Diagnostic] = []
        for number in graph.edges.indices where index.edgeTails[number] == nil || index.edgeHeads[number] == nil {
            let edge = graph.edges[number]
            for (end, isMissing) in [("source", index.edgeTails[number] == nil), ("target", index.edgeHeads[number] == nil)]
            where isMissing {
                let missing = end == "source" ? edge.from : edge.to
                diagnostics.append(Diagnostic(
                    rule: id, severity: .error,
                    message: "edge \(edge.from) -> \(edge.to) has \(end) '\(missing)', which is not a node of the graph",
                    location: edge.location ?? graph.location,
                    edge: EdgeReference(from: edge.from, to: edge.to),
                    fix: "declare the node '\(missing)' or correct the edge's \(end)"))
            }
        }
        return diagnostics
    }
}
