/// `retry_target_exists` (warning, as the specification rates it): `retry_target` and
/// `fallback_retry_target`, on nodes and on the graph, name nodes of the graph. The engine
/// skips a target that names no node and tries the next one in the chain (node, node fallback,
/// graph, graph fallback), so a dangling target can only make a failure end the run.
public struct RetryTargetExistsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `retry_target_exists`.
    public var id: String { "retry_target_exists" }

    static let keys = ["retry_target", "fallback_retry_target"]

    /// Reports each retry target that names a missing node.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Read once: each read of a static retains it, and this runs for every node.
        let keys = Self.keys
        func inspect(_ attributes: Attributes, node: String?, fallback: SourceLocation?) {
            attributes.forEachPresent(keys) { position, value in
                guard !value.isBlank, graph.index(of: value.raw) == nil else { return }
                let target = value.raw.trimmingSpaces()
                guard graph.index(of: target) == nil else { return }
                let key = keys[position]
                let owner = node.map { "node '\($0)'" } ?? "the graph"
                diagnostics.append(Diagnostic(
                    rule: id, severity: .warning,
                    message: "\(key) of \(owner) names '\(target)', which is not a node of the graph",
                    location: value.location ?? fallback, node: node,
                    fix: "set \(key) to the id of an existing node\(Self.suggestion(for: target, in: graph))"))
            }
        }
        inspect(graph.attributes, node: nil, fallback: graph.location)
        graph.nodes.withUnsafeBufferPointer { nodes in
            for number in nodes.indices {
                inspect(nodes[number].attributes, node: nodes[number].id, fallback: nodes[number].location)
            }
        }
        return diagnostics
    }

    /// ` (did you mean 'X'?)` for the closest node id when one is close, else "".
    static func suggestion(for target: String, in graph: Graph) -> String {
        let ids = graph.nodes.map(\.id)
        guard let best = CloseMatches.find(target, among: ids, limit: 1).first else { return "" }
        return " (did you mean '\(best)'?)"
    }
}
