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
    /// node pair and `key` attribute (Graphviz's edge keys). Nodes are by position.
    private struct EdgeKey: Hashable {
        var from: Int
        var to: Int
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
    /// The number of the file name that node locations carry (`SourceFileNames`).
    let fileNumber: UInt32
    private var nodes: [GraphNode] = []
    /// Node ids numbered by position in `nodes`.
    private var nodeTable: ByteKeyTable
    private var edges: [GraphEdge] = []
    private var edgeIndex: [EdgeKey: Int] = [:]
    private var subgraphs: [Subgraph] = []
    /// Member node positions of each subgraph, in first-mention order, and the same as a set.
    private var subgraphMembers: [[Int]] = []
    private var subgraphMemberSets: [Set<Int>] = []
    /// The `node [...]` and `edge [...]` defaults set inside each subgraph's own body, by index.
    /// A reopened subgraph starts from them again, as Graphviz keeps a subgraph's defaults.
    private var subgraphOwnDefaults: [(node: Attributes, edge: Attributes)] = []
    private var subgraphIndex: [SubgraphKey: Int] = [:]

    /// Creates an empty builder with room for the nodes a source of `byteCount` bytes likely
    /// declares, so the node table is not rehashed again and again while it grows.
    init(fileNumber: UInt32, expectedSourceBytes byteCount: Int = 0) {
        self.fileNumber = fileNumber
        let capacity = byteCount / 128
        nodeTable = ByteKeyTable(capacity: max(capacity, 8))
        if capacity > 16 {
            nodes.reserveCapacity(capacity)
            edges.reserveCapacity(capacity * 2)
        }
    }

    /// The member node positions of subgraph `index`, nested members included, in first-mention order.
    func members(ofSubgraph index: Int) -> [Int] { subgraphMembers[index] }

    /// Names the node whose id is the UTF-8 `key` in `scope`: creates it with the node defaults in
    /// force when it is new, and makes it a member of the scope's subgraph and every enclosing
    /// one. Returns its position.
    mutating func mentionNode(key: UnsafeRawBufferPointer, line: Int, column: Int, in scope: Scope) -> Int {
        let (position, inserted) = nodeTable.findOrInsert(key)
        if inserted {
            let id = String(decoding: key, as: UTF8.self)
            nodes.append(GraphNode(
                id: id, attributes: scope.nodeDefaults, location: SourceLocation(fileNumber: fileNumber, line: line, column: column)))
        }
        if let subgraph = scope.subgraph { addMember(position, to: subgraph) }
        return position
    }

    /// `mentionNode(key:...)` for an id already made into a `String` (escapes resolved, or input that is not ASCII).
    mutating func mentionNode(_ id: String, line: Int, column: Int, in scope: Scope) -> Int {
        var id = id
        return id.withUTF8 { mentionNode(key: UnsafeRawBufferPointer($0), line: line, column: column, in: scope) }
    }

    /// Makes node `position` a member of subgraph `index` and of its ancestors. Kept apart from
    /// `mentionNode` so nodes outside subgraphs never touch the subgraph arrays.
    private mutating func addMember(_ position: Int, to index: Int) {
        var current: Int? = index
        while let index = current {
            // Membership of a subgraph implies membership of all its ancestors, so the walk can stop early.
            guard subgraphMemberSets[index].insert(position).inserted else { break }
            subgraphMembers[index].append(position)
            current = subgraphs[index].parent
        }
    }

    /// Moves the attributes of the node at `position` out, leaving it none, so a node statement
    /// can add to them without the array's copy making them shared.
    mutating func takeNodeAttributes(at position: Int) -> Attributes {
        var attributes = Attributes()
        swap(&attributes, &nodes[position].attributes)
        return attributes
    }

    /// Gives the node at `position` its attributes back (`takeNodeAttributes`).
    mutating func setNodeAttributes(_ attributes: Attributes, at position: Int) {
        nodes[position].attributes = attributes
    }

    /// Adds the edge from node `tail` to node `head` created in `scope` with `explicit`
    /// attributes, or merges into the existing edge when the graph is strict (or the edges
    /// share a `key`).
    mutating func addEdge(
        from tail: Int, fromPort: String?, to head: Int, toPort: String?,
        explicit: Attributes, in scope: Scope, location: SourceLocation
    ) {
        var key: EdgeKey?
        if isStrict {
            key = edgeKey(from: tail, to: head, key: nil)
        } else if let edgeKeyValue = explicit.raw("key") ?? scope.edgeDefaults.raw("key") {
            key = edgeKey(from: tail, to: head, key: edgeKeyValue)
        }
        if let key, let existing = edgeIndex[key] {
            edges[existing].attributes.merge(explicit)
            if let fromPort { edges[existing].fromPort = fromPort }
            if let toPort { edges[existing].toPort = toPort }
            return
        }
        var attributes = explicit
        if !scope.edgeDefaults.isEmpty {
            attributes = scope.edgeDefaults
            attributes.merge(explicit)
        }
        if let key { edgeIndex[key] = edges.count }
        edges.append(GraphEdge(
            from: nodes[tail].id, to: nodes[head].id, fromPort: fromPort, toPort: toPort,
            attributes: attributes, location: location, tailHint: Int32(tail), headHint: Int32(head)))
    }

    private func edgeKey(from tail: Int, to head: Int, key: String?) -> EdgeKey {
        // Undirected edges are the same edge whichever way round they are written.
        if !isDirected, nodes[head].id < nodes[tail].id { return EdgeKey(from: head, to: tail, key: key) }
        return EdgeKey(from: tail, to: head, key: key)
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
        subgraphMemberSets.append([])
        subgraphOwnDefaults.append((Attributes(), Attributes()))
        if let name { subgraphIndex[SubgraphKey(parent: parent.subgraph, name: name)] = index }
        return index
    }

    /// Records `node [...]` (`isNode`) or `edge [...]` defaults set in `scope`'s own body, so a
    /// reopened subgraph gets them back.
    mutating func recordDefaults(_ attributes: Attributes, isNode: Bool, in scope: Scope) {
        guard let index = scope.subgraph else { return }
        if isNode {
            subgraphOwnDefaults[index].node.merge(attributes)
        } else {
            subgraphOwnDefaults[index].edge.merge(attributes)
        }
    }

    /// Adds to `scope` the defaults subgraph `index` set in its earlier bodies (nothing for a new one):
    /// Graphviz starts a reopened subgraph from the enclosing defaults in force with its own on top.
    func restoreOwnDefaults(of index: Int, into scope: inout Scope) {
        let own = subgraphOwnDefaults[index]
        if !own.node.isEmpty { scope.nodeDefaults.merge(own.node) }
        if !own.edge.isEmpty { scope.edgeDefaults.merge(own.edge) }
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
    consuming func build() -> Graph {
        for index in nodes.indices {
            if let own = nodes[index].attributes.raw("class") {
                for part in own.split(separator: ",") {
                    let name = String(part).trimmingSpaces()
                    if !name.isEmpty, !nodes[index].classes.contains(name) { nodes[index].classes.append(name) }
                }
            }
        }
        for (number, members) in subgraphMembers.enumerated() {
            subgraphs[number].nodes = members.map { nodes[$0].id }
        }
        for subgraph in subgraphs.indices {
            guard let label = subgraphs[subgraph].attributes.raw("label") else { continue }
            let name = Self.className(fromLabel: label)
            guard !name.isEmpty else { continue }
            for member in subgraphMembers[subgraph] where !nodes[member].classes.contains(name) {
                nodes[member].classes.append(name)
            }
        }
        return Graph(
            name: name, isStrict: isStrict, isDirected: isDirected, attributes: attributes,
            uniqueNodes: nodes, numberedBy: nodeTable, edges: edges, subgraphs: subgraphs, location: location)
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
