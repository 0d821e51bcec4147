/// `directed_graph` (error): a pipeline is a `digraph`; in an undirected `graph` edges have
/// no direction to run along, so the engine cannot walk it.
public struct DirectedGraphRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `directed_graph`.
    public var id: String { "directed_graph" }

    /// Reports an undirected graph.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        guard !graph.isDirected else { return [] }
        return [
            Diagnostic(
                rule: id, severity: .error,
                message: "the graph is undirected ('graph'); a pipeline must be a 'digraph' with '->' edges",
                location: graph.location,
                fix: "write 'digraph' instead of 'graph' and '->' instead of '--'")
        ]
    }
}
