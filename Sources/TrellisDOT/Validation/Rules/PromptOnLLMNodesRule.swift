/// `prompt_on_llm_nodes` (warning): a node that resolves to the LLM stage (`codergen`) has a
/// `prompt`, or at least a `label` (the specification falls back to the label as the prompt).
/// Nodes serving as start or exit by the id fallback are not LLM stages and are skipped.
public struct PromptOnLLMNodesRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `prompt_on_llm_nodes`.
    public var id: String { "prompt_on_llm_nodes" }

    private static let keys = ["prompt", "label"]

    /// Reports each LLM stage without prompt and label.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        var diagnostics: [Diagnostic] = []
        // An unsafe buffer lets the loop read each node's attributes in place instead of copying
        // the node; the key list is read once, since each read of a static retains it.
        let keys = Self.keys
        graph.nodes.withUnsafeBufferPointer { nodes in
            for number in nodes.indices where index.nodeTypes[number] == NodeTypes.llm {
                guard !nodes[number].attributes.hasNonBlank(anyOf: keys), !index.isEndpoint(number) else { continue }
                let node = nodes[number]
                diagnostics.append(Diagnostic(
                    rule: id, severity: .warning,
                    message: "LLM stage '\(node.id)' has neither a prompt nor a label, so the model gets no instruction",
                    location: node.location, node: node.id,
                    fix: "add prompt=\"...\" to '\(node.id)', or give it a shape for another node type"))
            }
        }
        return diagnostics
    }
}
