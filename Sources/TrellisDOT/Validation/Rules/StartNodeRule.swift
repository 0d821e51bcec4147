/// `start_node` (error): the graph has exactly one start node.
///
/// Start nodes are those of type `start` (shape `Mdiamond` or `type=start`); only when there is
/// none does a node with id `start` or `Start` count, the specification's fallback (see
/// `GraphIndex.startNodes`). None, or more than one, is an error: the engine would not know where to begin.
public struct StartNodeRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `start_node`.
    public var id: String { "start_node" }

    /// Reports a missing start node, or each start node after the first.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let starts = context.graphIndex(for: graph).startNodes
        guard let first = starts.first else {
            return [
                Diagnostic(
                    rule: id, severity: .error, message: "the graph has no start node",
                    location: graph.location,
                    fix: "add 'start [shape=Mdiamond]' and an edge from it to the first stage")
            ]
        }
        let firstNode = graph.nodes[first]
        return starts.dropFirst().map { number in
            let node = graph.nodes[number]
            return Diagnostic(
                rule: id, severity: .error,
                message: "'\(node.id)' is a second start node; '\(firstNode.id)'\(Self.position(firstNode)) is already the start",
                location: node.location, node: node.id,
                fix: "keep one start node (shape=Mdiamond) and give '\(node.id)' another shape or type")
        }
    }

    static func position(_ node: GraphNode) -> String {
        node.location.map { " (line \($0.line))" } ?? ""
    }
}
