/// `terminal_node` (error): the graph has exactly one exit node.
///
/// Exit nodes are those of type `exit` (shape `Msquare` or `type=exit`); only when there is
/// none does a node with id `exit`, `Exit`, `end` or `End` count (the specification's fallback).
///
/// Counting: the specification's shape table and its exit handler say every graph has exactly
/// one exit node, so no exit and a second exit are both errors.
public struct TerminalNodeRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `terminal_node`.
    public var id: String { "terminal_node" }

    /// Reports a missing exit node or each extra exit node (errors).
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let exits = context.graphIndex(for: graph).exitNodes
        guard let first = exits.first else {
            return [
                Diagnostic(
                    rule: id, severity: .error, message: "the graph has no exit node",
                    location: graph.location,
                    fix: "add 'exit [shape=Msquare]' and an edge to it from the last stage")
            ]
        }
        let firstNode = graph.nodes[first]
        return exits.dropFirst().map { number in
            let node = graph.nodes[number]
            return Diagnostic(
                rule: id, severity: .error,
                message: "'\(node.id)' is a second exit node besides '\(firstNode.id)'\(StartNodeRule.position(firstNode)); a pipeline has exactly one exit",
                location: node.location, node: node.id,
                fix: "route every path to '\(firstNode.id)' and remove '\(node.id)', or give '\(node.id)' another shape")
        }
    }
}
