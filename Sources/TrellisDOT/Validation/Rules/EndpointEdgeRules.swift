/// `start_no_incoming` (error): no edge enters a start node; the start runs once, at the beginning.
public struct StartNoIncomingRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `start_no_incoming`.
    public var id: String { "start_no_incoming" }

    /// Reports each edge that enters a start node.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        return index.startNodes.flatMap { start in
            index.incomingEdges(of: start).map { number in
                let edge = graph.edges[number]
                return Diagnostic(
                    rule: id, severity: .error,
                    message: "edge \(edge.from) -> \(edge.to) enters the start node '\(edge.to)'; the start node must have no incoming edges",
                    location: edge.location ?? graph.nodes[start].location,
                    node: edge.to, edge: EdgeReference(from: edge.from, to: edge.to),
                    fix: "point the edge at the first stage after the start node instead")
            }
        }
    }
}

/// `exit_no_outgoing` (error): no edge leaves an exit node; reaching an exit ends the run.
public struct ExitNoOutgoingRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `exit_no_outgoing`.
    public var id: String { "exit_no_outgoing" }

    /// Reports each edge that leaves an exit node.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        return index.exitNodes.flatMap { exit in
            index.outgoingEdges(of: exit).map { number in
                let edge = graph.edges[number]
                return Diagnostic(
                    rule: id, severity: .error,
                    message: "edge \(edge.from) -> \(edge.to) leaves the exit node '\(edge.from)'; the exit node must have no outgoing edges",
                    location: edge.location ?? graph.nodes[exit].location,
                    node: edge.from, edge: EdgeReference(from: edge.from, to: edge.to),
                    fix: "start the edge from the stage before the exit, or use retry_target to loop back")
            }
        }
    }
}
