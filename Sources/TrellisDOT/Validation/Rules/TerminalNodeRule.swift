/// `terminal_node` (error when missing): the graph has an exit node.
///
/// Exit nodes are those of type `exit` (shape `Msquare` or `type=exit`); only when there is
/// none does a node with id `exit`, `Exit`, `end` or `End` count (the specification's fallback).
///
/// Counting: the specification's rule table asks for at least one exit, its shape table for
/// exactly one. The engine ends a run at whichever exit it reaches and checks goal gates
/// there, so several exits run correctly: no exit is an error, several exits are reported
/// as `info` so that an author who meant one still sees it.
public struct TerminalNodeRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `terminal_node`.
    public var id: String { "terminal_node" }

    /// Reports a missing exit node (error) or extra exit nodes (info).
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
                rule: id, severity: .info,
                message: "'\(node.id)' is another exit node besides '\(firstNode.id)'\(StartNodeRule.position(firstNode)); a run ends at whichever it reaches first",
                location: node.location, node: node.id,
                fix: "route every path to one exit node unless several exits are intended")
        }
    }
}
