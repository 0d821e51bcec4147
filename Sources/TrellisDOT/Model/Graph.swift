/// A parsed DOT graph: what the engine compiles and the validator checks.
///
/// Nodes are in declaration order (first mention), each carrying the attributes in force
/// for it after Graphviz's default and merge rules; edges are in declaration order, one
/// per endpoint pair (a chain `a -> b -> c` gives two, a subgraph endpoint gives one per
/// member node).
public struct Graph: Sendable, Equatable {
    /// The graph id, or `nil` for an anonymous graph.
    public var name: String?
    /// Whether the graph was declared `strict` (no multi-edges; a repeated edge merges attributes).
    public var isStrict: Bool
    /// `digraph` (true) or `graph` (false).
    public var isDirected: Bool
    /// Graph attributes from `graph [...]` statements and `key = value` statements at the top level.
    public var attributes: Attributes
    /// Nodes in declaration order.
    public private(set) var nodes: [GraphNode]
    /// Edges in declaration order.
    public var edges: [GraphEdge]
    /// Subgraphs in declaration order (nested subgraphs follow their parent; see `Subgraph.parent`).
    public var subgraphs: [Subgraph]
    /// Where the graph keyword is.
    public var location: SourceLocation?
    /// Node ids numbered by position in `nodes`.
    private var nodeTable: ByteKeyTable

    /// Creates a graph.
    public init(
        name: String? = nil,
        isStrict: Bool = false,
        isDirected: Bool = true,
        attributes: Attributes = Attributes(),
        nodes: [GraphNode] = [],
        edges: [GraphEdge] = [],
        subgraphs: [Subgraph] = [],
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.isStrict = isStrict
        self.isDirected = isDirected
        self.attributes = attributes
        self.nodes = []
        self.edges = edges
        self.subgraphs = subgraphs
        self.location = location
        self.nodeTable = ByteKeyTable(capacity: nodes.count)
        for node in nodes { upsert(node) }
    }

    /// Creates a graph from nodes with distinct ids whose positions are already numbered in
    /// `table` (the parser's path: it has built that table while parsing, so building it again
    /// is wasted work).
    init(
        name: String?, isStrict: Bool, isDirected: Bool, attributes: Attributes, uniqueNodes: [GraphNode],
        numberedBy table: ByteKeyTable, edges: [GraphEdge], subgraphs: [Subgraph], location: SourceLocation?
    ) {
        self.name = name
        self.isStrict = isStrict
        self.isDirected = isDirected
        self.attributes = attributes
        self.nodes = uniqueNodes
        self.edges = edges
        self.subgraphs = subgraphs
        self.location = location
        self.nodeTable = table
    }

    /// The position of the node with `id` in `nodes`, or `nil`.
    public func index(of id: String) -> Int? { nodeTable.find(id) }

    /// The node with `id`, or `nil`.
    public func node(_ id: String) -> GraphNode? { nodeTable.find(id).map { nodes[$0] } }

    /// The position of the node at one end of an edge: `hint` when the parser recorded it and
    /// it still names `id`, else a lookup. Saves hashing every edge end in a parsed graph.
    func index(of id: String, hint: Int32) -> Int? {
        let position = Int(hint)
        if position >= 0, position < nodes.count, nodes[position].id == id { return position }
        return nodeTable.find(id)
    }

    /// Adds a node, or when one with the same id exists, merges the new attributes into it.
    public mutating func upsert(_ node: GraphNode) {
        let (index, inserted) = nodeTable.findOrInsert(node.id)
        if !inserted {
            nodes[index].attributes.merge(node.attributes)
            for name in node.classes where !nodes[index].classes.contains(name) {
                nodes[index].classes.append(name)
            }
        } else {
            nodes.append(node)
        }
    }

    /// Replaces the attributes of an existing node (no-op when absent).
    public mutating func setAttributes(_ attributes: Attributes, forNode id: String) {
        guard let index = nodeTable.find(id) else { return }
        nodes[index].attributes = attributes
    }

    /// Edges leaving `id`, in declaration order.
    public func outgoingEdges(of id: String) -> [GraphEdge] { edges.filter { $0.from == id } }

    /// Edges entering `id`, in declaration order.
    public func incomingEdges(of id: String) -> [GraphEdge] { edges.filter { $0.to == id } }

    /// Two graphs are equal when name, kind, attributes, nodes, edges and subgraph memberships agree (locations ignored).
    public static func == (lhs: Graph, rhs: Graph) -> Bool {
        lhs.name == rhs.name && lhs.isStrict == rhs.isStrict && lhs.isDirected == rhs.isDirected
            && lhs.attributes == rhs.attributes && lhs.nodes == rhs.nodes && lhs.edges == rhs.edges
            && lhs.subgraphs == rhs.subgraphs
    }
}

/// A node with the attributes in force for it.
public struct GraphNode: Sendable, Hashable {
    /// The node id.
    public var id: String
    /// Its attributes, defaults applied.
    public var attributes: Attributes
    /// Classes from the `class` attribute and from enclosing subgraph labels (pipeline specification).
    public var classes: [String]
    /// Where the node is first mentioned.
    public var location: SourceLocation?

    /// Creates a node.
    public init(id: String, attributes: Attributes = Attributes(), classes: [String] = [], location: SourceLocation? = nil) {
        self.id = id
        self.attributes = attributes
        self.classes = classes
        self.location = location
    }

    /// Compares id, attributes and classes (location ignored).
    public static func == (lhs: GraphNode, rhs: GraphNode) -> Bool {
        lhs.id == rhs.id && lhs.attributes == rhs.attributes && lhs.classes == rhs.classes
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(attributes)
    }
}

/// An edge between two nodes.
public struct GraphEdge: Sendable, Hashable {
    /// The tail node id.
    public var from: String { didSet { tailHint = -1 } }
    /// The head node id.
    public var to: String { didSet { headHint = -1 } }
    /// Port (and compass point) on the tail, as written after `:`; `nil` when none.
    public var fromPort: String?
    /// Port (and compass point) on the head; `nil` when none.
    public var toPort: String?
    /// Its attributes, defaults applied.
    public var attributes: Attributes
    /// Where the edge operator is.
    public var location: SourceLocation?
    /// The tail's position in the parsed graph's `nodes`, or -1; checked before use (`Graph.index(of:hint:)`).
    var tailHint: Int32 = -1
    /// The head's position in the parsed graph's `nodes`, or -1.
    var headHint: Int32 = -1

    /// Creates an edge.
    public init(
        from: String,
        to: String,
        fromPort: String? = nil,
        toPort: String? = nil,
        attributes: Attributes = Attributes(),
        location: SourceLocation? = nil
    ) {
        self.from = from
        self.to = to
        self.fromPort = fromPort
        self.toPort = toPort
        self.attributes = attributes
        self.location = location
    }

    /// Creates an edge whose ends' positions in the graph's nodes are known (the parser's path).
    init(
        from: String, to: String, fromPort: String?, toPort: String?, attributes: Attributes,
        location: SourceLocation, tailHint: Int32, headHint: Int32
    ) {
        self.init(from: from, to: to, fromPort: fromPort, toPort: toPort, attributes: attributes, location: location)
        self.tailHint = tailHint
        self.headHint = headHint
    }

    /// Compares endpoints, ports and attributes (location ignored).
    public static func == (lhs: GraphEdge, rhs: GraphEdge) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.fromPort == rhs.fromPort && lhs.toPort == rhs.toPort
            && lhs.attributes == rhs.attributes
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(from)
        hasher.combine(to)
        hasher.combine(attributes)
    }
}

/// A subgraph (named or anonymous) and the nodes that belong to it, nested members included.
public struct Subgraph: Sendable, Hashable {
    /// The subgraph id; anonymous subgraphs get `nil`.
    public var id: String?
    /// The index in `Graph.subgraphs` of the enclosing subgraph, `nil` at the top level.
    public var parent: Int?
    /// Attributes set in the subgraph's scope (`graph [...]`, `key = value`), e.g. `label`.
    public var attributes: Attributes
    /// Member node ids in first-mention order.
    public var nodes: [String]
    /// Where the subgraph starts.
    public var location: SourceLocation?

    /// Creates a subgraph.
    public init(
        id: String?,
        parent: Int? = nil,
        attributes: Attributes = Attributes(),
        nodes: [String] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.parent = parent
        self.attributes = attributes
        self.nodes = nodes
        self.location = location
    }

    /// Compares id, parent, attributes and members (location ignored).
    public static func == (lhs: Subgraph, rhs: Subgraph) -> Bool {
        lhs.id == rhs.id && lhs.parent == rhs.parent && lhs.attributes == rhs.attributes && lhs.nodes == rhs.nodes
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(nodes)
    }
}
