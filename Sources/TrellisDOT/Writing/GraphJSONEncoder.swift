internal import TrellisCore

/// Writes a `Graph` as the JSON of `trellis graph FILE --json`:
///
///     {"name", "strict", "directed", "attributes": {},
///      "nodes": [{"id", "attributes": {}}],
///      "edges": [{"from", "to", "from_port"?, "to_port"?, "attributes": {}}],
///      "subgraphs": [{"id", "nodes": [...]}]}
///
/// Attribute values are their raw text (quotes removed, `\"` and line continuations resolved,
/// other escapes as written), as `dot -Tjson` reports them. An anonymous graph or subgraph has
/// a `null` id. Keys keep the order in which they were set.
package enum GraphJSONEncoder {
    /// The JSON text, one node, edge or subgraph per line.
    package static func encode(_ graph: Graph) -> String {
        var out = "{\n"
        out += "  \"name\": " + (graph.name.map(quoted) ?? "null") + ",\n"
        out += "  \"strict\": \(graph.isStrict),\n"
        out += "  \"directed\": \(graph.isDirected),\n"
        out += "  \"attributes\": " + object(graph.attributes) + ",\n"
        out += "  \"nodes\": " + list(graph.nodes) { node in
            "{\"id\": \(quoted(node.id)), \"attributes\": \(object(node.attributes))}"
        } + ",\n"
        out += "  \"edges\": " + list(graph.edges) { edge in
            var fields = "{\"from\": \(quoted(edge.from)), \"to\": \(quoted(edge.to))"
            if let port = edge.fromPort { fields += ", \"from_port\": \(quoted(port))" }
            if let port = edge.toPort { fields += ", \"to_port\": \(quoted(port))" }
            return fields + ", \"attributes\": \(object(edge.attributes))}"
        } + ",\n"
        out += "  \"subgraphs\": " + list(graph.subgraphs) { subgraph in
            let members = subgraph.nodes.map(quoted).joined(separator: ", ")
            return "{\"id\": \(subgraph.id.map(quoted) ?? "null"), \"nodes\": [\(members)]}"
        } + "\n"
        return out + "}"
    }

    private static func list<Element>(_ elements: [Element], _ line: (Element) -> String) -> String {
        guard !elements.isEmpty else { return "[]" }
        return "[\n" + elements.map { "    " + line($0) }.joined(separator: ",\n") + "\n  ]"
    }

    private static func object(_ attributes: Attributes) -> String {
        "{" + attributes.map { "\(quoted($0.key)): \(quoted($0.value.raw))" }.joined(separator: ", ") + "}"
    }

    /// `text` as a JSON string literal (the shared quoter, so every JSON Trellis writes escapes alike).
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
