/// `attribute_schema`: a node's attributes fit the `AttributeSchema` its type declares.
/// Errors: a declared attribute that does not parse as its value type, a required one that is
/// missing (the handler, built in or a plugin's, would otherwise receive `"fifty"` for an
/// integer; `validate` and `run` share this rule, so such a graph is refused before it starts).
/// Warning: when the schema does not allow unlisted attributes, another attribute is set, apart
/// from the pipeline's common node attributes and Graphviz's drawing attributes, which every
/// node may carry.
/// Only checked when `ValidationContext.knownTypes` is set; unknown types are `type_known`'s concern.
public struct AttributeSchemaRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `attribute_schema`.
    public var id: String { "attribute_schema" }

    /// Attributes any node may carry whatever its type: the pipeline specification's node
    /// attributes and common Graphviz drawing attributes.
    public static let commonNodeAttributes: Set<String> = [
        "label", "shape", "type", "prompt", "class", "max_retries", "goal_gate", "retry_target",
        "fallback_retry_target", "fidelity", "thread_id", "timeout", "llm_model", "llm_provider",
        "reasoning_effort", "auto_status", "allow_partial",
        "color", "fillcolor", "fontcolor", "fontname", "fontsize", "style", "width", "height", "penwidth",
        "peripheries", "tooltip", "xlabel", "margin", "fixedsize", "group", "id", "comment", "URL", "href",
        "target", "labelloc", "labeljust", "orientation", "sides", "skew", "distortion", "regular", "image",
        "imagescale", "pos", "ordering", "gradientangle", "nojustify", "layer", "sortv", "z", "root",
    ]

    /// Reports attributes that do not fit the node's type schema.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        guard let known = context.knownTypes else { return [] }
        let index = context.graphIndex(for: graph)
        // Only types whose schema can reject something need their nodes looked at.
        let schemas: [AttributeSchema?] = index.typeNames.map { name in
            guard let schema = known[name], !(schema.attributes.isEmpty && schema.allowsUnlisted) else { return nil }
            return schema
        }
        guard schemas.contains(where: { $0 != nil }) else { return [] }
        var specsByType: [Int: [String: AttributeSpec]] = [:]
        var diagnostics: [Diagnostic] = []
        for number in graph.nodes.indices {
            let typeNumber = index.nodeTypeNumbers[number]
            guard let schema = schemas[typeNumber] else { continue }
            let node = graph.nodes[number]
            let type = index.nodeTypes[number]
            let specs = specsByType[typeNumber] ?? Dictionary(schema.attributes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            specsByType[typeNumber] = specs
            for spec in schema.attributes {
                if let value = node.attributes[spec.name] {
                    guard !spec.type.accepts(value) else { continue }
                    diagnostics.append(Diagnostic(
                        rule: id, severity: .error,
                        message: "attribute '\(spec.name)' of node '\(node.id)' (type \(type)) should be \(Self.article(spec.type)), not '\(value.raw)'",
                        location: value.location ?? node.location, node: node.id,
                        fix: "set \(spec.name) to \(Self.example(spec.type))"))
                } else if spec.isRequired {
                    diagnostics.append(Diagnostic(
                        rule: id, severity: .error,
                        message: "node '\(node.id)' (type \(type)) lacks the required attribute '\(spec.name)'"
                            + (spec.summary.isEmpty ? "" : " (\(spec.summary))"),
                        location: node.location, node: node.id,
                        fix: "add \(spec.name)=\(Self.example(spec.type)) to '\(node.id)'"))
                }
            }
            guard !schema.allowsUnlisted else { continue }
            for (key, value) in node.attributes where specs[key] == nil && !Self.commonNodeAttributes.contains(key) {
                let close = CloseMatches.find(key, among: Array(specs.keys), limit: 1)
                diagnostics.append(Diagnostic(
                    rule: id, severity: .warning,
                    message: "type \(type) does not declare attribute '\(key)' (on node '\(node.id)')"
                        + (close.isEmpty ? "" : "; did you mean '\(close[0])'?"),
                    location: value.location ?? node.location, node: node.id,
                    fix: "remove '\(key)' or use one of: " + specs.keys.sorted().joined(separator: ", ")))
            }
        }
        return diagnostics
    }

    private static func article(_ type: AttributeType) -> String {
        switch type {
        case .string: return "a string"
        case .integer: return "an integer"
        case .double: return "a number"
        case .boolean: return "a boolean"
        case .duration: return "a duration"
        }
    }

    private static func example(_ type: AttributeType) -> String {
        switch type {
        case .string: return "\"text\""
        case .integer: return "an integer such as 3"
        case .double: return "a number such as 0.5"
        case .boolean: return "true or false"
        case .duration: return "a duration such as 30s or 15m"
        }
    }
}
