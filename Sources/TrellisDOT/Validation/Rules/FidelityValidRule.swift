/// `fidelity_valid` (warning): `fidelity` on nodes and edges and `default_fidelity` on the
/// graph are context fidelity modes of the specification: `full`, `truncate`, `compact`,
/// `summary:low`, `summary:medium` or `summary:high`.
public struct FidelityValidRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `fidelity_valid`.
    public var id: String { "fidelity_valid" }

    private static let keys = ["fidelity"]

    /// The accepted fidelity modes.
    public static let modes = ["full", "truncate", "compact", "summary:low", "summary:medium", "summary:high"]

    /// Reports each fidelity value outside the modes.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ value: AttributeValue, key: String, owner: () -> String, node: String?, edge: EdgeReference?,
                    fallback: SourceLocation?) {
            let close = CloseMatches.find(value.raw, among: Self.modes, limit: 1)
            diagnostics.append(Diagnostic(
                rule: id, severity: .warning,
                message: "\(key) '\(value.raw)' of \(owner()) is not a fidelity mode"
                    + (close.isEmpty ? "" : "; did you mean '\(close[0])'?"),
                location: value.location ?? fallback, node: node, edge: edge,
                fix: "use one of: " + Self.modes.joined(separator: ", ")))
        }
        graph.attributes.forEachPresent(["default_fidelity"]) { _, value in
            guard !Self.modes.contains(value.raw) else { return }
            report(value, key: "default_fidelity", owner: { "the graph" }, node: nil, edge: nil, fallback: graph.location)
        }
        // Unsafe buffers let the loops read each element's attributes in place instead of copying
        // the element; the key list is read once, since each read of a static retains it.
        let keys = Self.keys
        graph.nodes.withUnsafeBufferPointer { nodes in
            for number in nodes.indices {
                nodes[number].attributes.forEachPresent(keys) { _, value in
                    guard !Self.modes.contains(value.raw) else { return }
                    let node = nodes[number]
                    report(value, key: "fidelity", owner: { "node '\(node.id)'" }, node: node.id, edge: nil, fallback: node.location)
                }
            }
        }
        graph.edges.withUnsafeBufferPointer { edges in
            for number in edges.indices {
                edges[number].attributes.forEachPresent(keys) { _, value in
                    guard !Self.modes.contains(value.raw) else { return }
                    let edge = edges[number]
                    report(value, key: "fidelity", owner: { "edge \(edge.from) -> \(edge.to)" }, node: nil,
                           edge: EdgeReference(from: edge.from, to: edge.to), fallback: edge.location)
                }
            }
        }
        return diagnostics
    }
}
