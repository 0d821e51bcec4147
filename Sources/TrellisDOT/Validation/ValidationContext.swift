/// What a validation knows beside the graph: the node types the host can run, and the
/// graph index the `Validator` builds once per call and shares with every rule.
public struct ValidationContext: Sendable {
    /// Node types the host knows, with the attributes each accepts; `nil` skips the type
    /// checks (`type_known`, `attribute_schema`), e.g. when no host is at hand.
    public var knownTypes: [String: AttributeSchema]?
    /// Unqualified type names several plugins define, with the qualified types claiming each
    /// (`type_known` reports a node using one as ambiguous rather than unknown).
    public var ambiguousTypes: [String: [String]]
    /// The index of the graph being validated; set by `Validator.validate` for the duration of a call.
    public internal(set) var index: GraphIndex?

    /// Creates a context.
    public init(knownTypes: [String: AttributeSchema]? = nil, ambiguousTypes: [String: [String]] = [:]) {
        self.knownTypes = knownTypes
        self.ambiguousTypes = ambiguousTypes
        self.index = nil
    }

    /// The shared index when a `Validator` built one, else a new index of `graph`
    /// (for rules run on their own, outside a validator).
    public func graphIndex(for graph: Graph) -> GraphIndex {
        index ?? GraphIndex(graph)
    }
}
