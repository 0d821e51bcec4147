import TrellisDOT

/// One outgoing edge of a node, as handlers that route by edge (the human gate) see it.
///
/// The graph compiler fills `NodeSpec.outgoing` with one entry per outgoing edge, in the
/// order the edges appear in the source, so a handler can offer the edges as choices
/// without holding the graph.
public struct OutgoingEdgeInfo: Sendable, Hashable {
    /// The edge's `label` attribute as text (escapes resolved), empty when the edge has none.
    public var label: String
    /// The id of the node the edge leads to.
    public var target: String
    /// The edge's `condition` attribute, empty when the edge has none.
    public var condition: String

    /// Creates an edge description.
    public init(label: String, target: String, condition: String = "") {
        self.label = label
        self.target = target
        self.condition = condition
    }
}

extension NodeSpec {
    /// Creates a spec that also lists the node's outgoing edges (see `outgoing`).
    public init(id: String, type: String, attributes: Attributes, index: Int, outgoing: [OutgoingEdgeInfo]) {
        self.init(id: id, type: type, attributes: attributes, index: index)
        self.outgoing = outgoing
    }
}
