/// `goal_gate_has_retry` (warning): a node with `goal_gate=true` has somewhere to send the
/// run when the gate is unmet: `retry_target` or `fallback_retry_target` on the node or the graph.
/// Without one an unmet gate fails the run at the exit, which is safe but rarely what is wanted.
public struct GoalGateHasRetryRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `goal_gate_has_retry`.
    public var id: String { "goal_gate_has_retry" }

    private static let keys = ["goal_gate"] + RetryTargetExistsRule.keys

    /// Reports each goal gate without a retry target.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        guard !graph.attributes.hasNonBlank(anyOf: RetryTargetExistsRule.keys) else { return [] }
        var diagnostics: [Diagnostic] = []
        // An unsafe buffer lets the loop read each node's attributes in place instead of copying
        // the node; the key list is read once, since each read of a static retains it.
        let keys = Self.keys
        graph.nodes.withUnsafeBufferPointer { nodes in
            for number in nodes.indices {
                var gate: AttributeValue?
                var hasTarget = false
                nodes[number].attributes.forEachPresent(keys) { position, value in
                    if position == 0 {
                        if value.boolean == true { gate = value }
                    } else if !value.isBlank {
                        hasTarget = true
                    }
                }
                guard let gate, !hasTarget else { continue }
                let node = nodes[number]
                diagnostics.append(Diagnostic(
                    rule: id, severity: .warning,
                    message: "goal gate '\(node.id)' has no retry_target, and neither has the graph; an unmet gate will fail the run",
                    location: gate.location ?? node.location, node: node.id,
                    fix: "add retry_target=\"<node to redo>\" to '\(node.id)' or to the graph"))
            }
        }
        return diagnostics
    }
}
