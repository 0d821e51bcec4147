/// `type_known` (warning): every node's resolved type (`NodeTypes.resolvedType(of:)`) is one the
/// host can run, built in or from a plugin. Only checked when `ValidationContext.knownTypes` is set.
///
/// As the specification says, an unknown type is a warning and the node runs on its shape's
/// handler (else the LLM stage's); the warning names the handler it falls back to. It is an
/// error only when the host knows neither (a host without the built-in types).
public struct TypeKnownRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `type_known`.
    public var id: String { "type_known" }

    /// Reports each node whose type the host does not know.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        guard let known = context.knownTypes else { return [] }
        let index = context.graphIndex(for: graph)
        var unknown = [Bool](repeating: false, count: index.typeNames.count)
        for (number, name) in index.typeNames.enumerated() { unknown[number] = known[name] == nil }
        guard unknown.contains(true) else { return [] }
        let knownNames = known.keys.sorted()
        var hints: [String: String] = [:]
        var diagnostics: [Diagnostic] = []
        for number in graph.nodes.indices where unknown[index.nodeTypeNumbers[number]] {
            let type = index.nodeTypes[number]
            let hint: String
            if let cached = hints[type] {
                hint = cached
            } else {
                hint = Self.hint(for: type, knownNames: knownNames)
                hints[type] = hint
            }
            let node = graph.nodes[number]
            if let claimants = context.ambiguousTypes[type] {
                diagnostics.append(Diagnostic(
                    rule: id, severity: .error,
                    message: "node '\(node.id)' has ambiguous type '\(type)': " + claimants.joined(separator: " and ") + " all define it",
                    location: node.attributes["type"]?.location ?? node.location, node: node.id,
                    fix: "write the qualified name: " + claimants.map { "type=\"\($0.split(separator: " ").first ?? "")\"" }.joined(separator: " or ")))
                continue
            }
            let fallback = Self.fallback(for: node, known: known)
            let runsAs = fallback.map { "; it runs as '\($0)' instead" } ?? "; no handler can run it"
            diagnostics.append(Diagnostic(
                rule: id, severity: fallback == nil ? .error : .warning,
                message: "node '\(node.id)' has unknown type '\(type)'\(Self.source(of: node))\(hint)\(runsAs)",
                location: node.attributes["type"]?.location ?? node.location, node: node.id,
                fix: "load a plugin that provides '\(type)' (--plugin-dir), or set type= to a known type"))
        }
        return diagnostics
    }

    /// The type an unknown-typed node runs as: its shape's type, else the LLM stage's, when known.
    private static func fallback(for node: GraphNode, known: [String: AttributeSchema]) -> String? {
        if let shape = node.attributes.raw("shape"), let type = NodeTypes.byShape[shape], known[type] != nil { return type }
        return known[NodeTypes.llm] != nil ? NodeTypes.llm : nil
    }

    private static func source(of node: GraphNode) -> String {
        if let explicit = node.attributes.raw("type"), !explicit.isEmpty { return "" }
        if let shape = node.attributes.raw("shape") { return " (from shape=\(shape))" }
        return " (the default for nodes without shape or type)"
    }

    private static func hint(for type: String, knownNames: [String]) -> String {
        if knownNames.isEmpty { return "; the host knows no node types" }
        let close = CloseMatches.find(type, among: knownNames)
        if !close.isEmpty { return "; did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?" }
        let shown = knownNames.prefix(12).joined(separator: ", ")
        return "; known types: " + shown + (knownNames.count > 12 ? ", ..." : "")
    }
}
