/// Turns parsed statements into a `Graph` with Graphviz's semantics: node and edge defaults
/// apply to objects created after them in their scope, redeclaring a node or (in strict graphs)
/// an edge merges attributes, and subgraph membership propagates to enclosing subgraphs.
/// Every lookup is hashed, so building stays linear in the size of the input.
struct GraphBuilder {
    /// The defaults in force in one `{ ... }` body.
    struct Scope {
        /// `node [...]` attributes in force.
        var nodeDefaults = Attributes()
        /// `edge [...]` attributes in force.
        var edgeDefaults = Attributes()
        /// The subgraph this body belongs to; `nil` for the graph's own body.
        var subgraph: Int?
    }

    /// Identifies an edge for merging: strict graphs merge per node pair, other graphs per
    /// node pair and `key` attribute (Graphviz's edge keys).
    private struct EdgeKey: Hashable {
        var from: String
        var to: String
        var key: String?
    }

    private struct SubgraphKey: Hashable {
        var parent: Int?
        var name: String
    }

    var name: String?
    var isStrict = false
    var isDirected = true
    var location: SourceLocation?
    var attributes = Attributes()
    private var nodes: [GraphNode] = []
    private var nodeIndex: [String: Int] = [:]
    private var edges: [GraphEdge] = []
    private var edgeIndex: [EdgeKey: Int] = [:]
    private var subgraphs: [Subgraph] = []
    private var subgraphMembers: [Set<String>] = []
    private var subgraphIndex: [SubgraphKey: Int] = [:]

    /// Creates an empty builder.
    init() {}

    /// Creates an empty builder with room for the nodes a source of `byteCount` bytes likely declares,
    /// so the node table is not rehashed again and again while it grows.
    init(expectedSourceBytes byteCount: Int) {
        let capacity = byteCount / 128
        guard capacity > 16 else { return }
        nodes.reserveCapacity(capacity)
        nodeIndex.reserveCapacity(capacity)
    }

    /// The member node ids of subgraph `index`, nested members included, in first-mention order.
    func members(ofSubgraph index: Int) -> [String] { subgraphs[index].nodes }

    /// Names a node in `scope`: creates it with the node defaults in force when it is new, and
    /// makes it a member of the scope's subgraph and every enclosing one. Returns its position.
    @discardableResult
    mutating func mentionNode(_ id: String, location: SourceLocation, in scope: Scope) -> Int {
        let next = nodes.count
        // One hash lookup that also inserts the position when the id is new.
        let position = Self.value(of: &nodeIndex[id, default: next])
        if position == next {
            nodes.append(GraphNode(id: id, attributes: scope.nodeDefaults, location: location))
        }
        if let subgraph = scope.subgraph { addMember(id, to: subgraph) }
        return position
    }

    /// Makes `id` a member of subgraph `index` and of its ancestors. Kept apart from
    /// `mentionNode` so nodes outside subgraphs never touch the subgraph arrays.
    private mutating func addMember(_ id: String, to index: Int) {
        var current: Int? = index
        while let index = current {
            // Membership of a subgraph implies membership of all its ancestors, so the walk can stop early.
            guard subgraphMembers[index].insert(id).inserted else { break }
            subgraphs[index].nodes.append(id)
            current = subgraphs[index].parent
        }
    }

    private static func value(of slot: inout Int) -> Int { slot }

    /// The id of the node at `position`.
    func nodeID(at position: Int) -> String { nodes[position].id }

    /// Sets the attributes of a node statement on the node at `position` (from `mentionNode`).
    mutating func setNodeAttributes(_ explicit: Attributes, at position: Int) {
        guard !explicit.isEmpty else { return }
        nodes[position].attributes.merge(explicit)
    }

    /// Adds the edge `from -> to` created in `scope` with `explicit` attributes, or merges into
    /// the existing edge when the graph is strict (or the edges share a `key`).
    mutating func addEdge(
        from: String, fromPort: String?, to: String, toPort: String?,
        explicit: Attributes, in scope: Scope, location: SourceLocation
    ) {
        var attributes = explicit
        if !scope.edgeDefaults.isEmpty {
            attributes = scope.edgeDefaults
            attributes.merge(explicit)
        }
        var key: EdgeKey?
        if isStrict {
            key = edgeKey(from: from, to: to, key: nil)
        } else if let edgeKeyValue = attributes.raw("key") {
            key = edgeKey(from: from, to: to, key: edgeKeyValue)
        }
        if let key, let existing = edgeIndex[key] {
            edges[existing].attributes.merge(explicit)
            if let fromPort { edges[existing].fromPort = fromPort }
            if let toPort { edges[existing].toPort = toPort }
            return
        }
        if let key { edgeIndex[key] = edges.count }
        edges.append(
            GraphEdge(from: from, to: to, fromPort: fromPort, toPort: toPort, attributes: attributes, location: location))
    }

    private func edgeKey(from: String, to: String, key: String?) -> EdgeKey {
        // Undirected edges are the same edge whichever way round they are written.
        if !isDirected, to < from { return EdgeKey(from: to, to: from, key: key) }
        return EdgeKey(from: from, to: to, key: key)
    }

    /// Opens the subgraph `name` inside `parent`: a named subgraph seen before in the same
    /// parent is reopened (as Graphviz does), otherwise a new one is added. Returns its index.
    mutating func openSubgraph(named name: String?, in parent: Scope, location: SourceLocation) -> Int {
        if let name, let existing = subgraphIndex[SubgraphKey(parent: parent.subgraph, name: name)] {
            return existing
        }
        let index = subgraphs.count
        subgraphs.append(Subgraph(id: name, parent: parent.subgraph, location: location))
        subgraphMembers.append([])
        if let name { subgraphIndex[SubgraphKey(parent: parent.subgraph, name: name)] = index }
        return index
    }

    /// Sets graph attributes (`graph [...]`, `key = value`) in `scope`: on the graph itself at
    /// the top level, on the subgraph inside one.
    mutating func setGraphAttributes(_ explicit: Attributes, in scope: Scope) {
        if let index = scope.subgraph {
            subgraphs[index].attributes.merge(explicit)
        } else {
            attributes.merge(explicit)
        }
    }

    /// The finished graph, with each node's classes: its own `class` list first, then one class
    /// per labelled subgraph it belongs to, outermost first (pipeline specification).
    func build() -> Graph {
        var nodes = self.nodes
        for index in nodes.indices {
            if let own = nodes[index].attributes.raw("class") {
                for part in own.split(separator: ",") {
                    let name = String(part).trimmingSpaces()
                    if !name.isEmpty, !nodes[index].classes.contains(name) { nodes[index].classes.append(name) }
                }
            }
        }
        for subgraph in subgraphs {
            guard let label = subgraph.attributes.raw("label") else { continue }
            let name = Self.className(fromLabel: label)
            guard !name.isEmpty else { continue }
            for member in subgraph.nodes {
                guard let index = nodeIndex[member] else { continue }
                if !nodes[index].classes.contains(name) { nodes[index].classes.append(name) }
            }
        }
        return Graph(
            name: name, isStrict: isStrict, isDirected: isDirected, attributes: attributes,
            uniqueNodes: nodes, indexedBy: nodeIndex, edges: edges, subgraphs: subgraphs, location: location)
    }

    /// The class a subgraph label gives its nodes: lowercased, spaces become hyphens, and every
    /// character other than `a-z`, `0-9` and `-` is dropped (`"Phase 1: Build"` → `phase-1-build`).
    static func className(fromLabel label: String) -> String {
        var name = ""
        for scalar in label.lowercased().unicodeScalars {
            if scalar == " " {
                name.append("-")
            } else if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" {
                name.unicodeScalars.append(scalar)
            }
        }
        return name
    }
}
