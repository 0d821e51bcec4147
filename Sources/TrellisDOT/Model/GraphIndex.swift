/// Facts about a graph computed once and shared by the validation rules (and usable by any
/// consumer that needs the same): each node's resolved type, the start and exit nodes, edge
/// adjacency in compressed form, and the edge conditions parsed once per distinct text, so
/// checks stay linear in nodes plus edges.
///
/// Node numbers are positions in `Graph.nodes`; edge numbers are positions in `Graph.edges`.
public struct GraphIndex: Sendable {
    /// The resolved type of each node (`NodeTypes.resolvedType(of:)`), by node number.
    public let nodeTypes: [String]
    /// The distinct resolved types, in order of first use.
    public let typeNames: [String]
    /// For each node, the position of its type in `typeNames` (so per-type checks run once per type).
    public let nodeTypeNumbers: [Int]
    /// The tail node number of each edge; `nil` when the edge names a node the graph lacks.
    public let edgeTails: [Int?]
    /// The head node number of each edge; `nil` when the edge names a node the graph lacks.
    public let edgeHeads: [Int?]
    /// The start nodes: nodes of type `start` (shape `Mdiamond` or `type=start`); when there
    /// is none, nodes with id `start` or `Start`, the specification's fallback.
    public let startNodes: [Int]
    /// The exit nodes: nodes of type `exit` (shape `Msquare` or `type=exit`); when there is
    /// none, nodes with id `exit`, `Exit`, `end` or `End`, the specification's fallback.
    public let exitNodes: [Int]

    /// The distinct edge `condition` texts, in order of first use.
    public let conditionTexts: [String]
    /// The parse of each text in `conditionTexts` (`ConditionParser`): the tree, or why it does not parse.
    public let parsedConditions: [Result<ConditionExpression, ConditionSyntaxError>]
    /// For each edge, the position of its condition in `conditionTexts`; `nil` when it has none.
    public let edgeConditionNumbers: [Int?]

    private let outgoingOffsets: [Int]
    private let outgoingList: [Int]
    private let incomingOffsets: [Int]
    private let incomingList: [Int]

    /// Indexes `graph` in time linear in its nodes and edges.
    public init(_ graph: Graph) {
        let nodeCount = graph.nodes.count
        var types: [String] = []
        var typeNumbers: [Int] = []
        var typeNumberByName: [String: Int] = [:]
        types.reserveCapacity(nodeCount)
        typeNumbers.reserveCapacity(nodeCount)
        var previousType: (name: String, number: Int)?
        graph.nodes.withUnsafeBufferPointer { nodes in
            // Borrowing through the buffer avoids copying each node; neighbours usually share
            // a type, so the previous one is compared before hashing.
            for node in nodes.indices {
                let type = NodeTypes.resolvedType(attributes: nodes[node].attributes)
                types.append(type)
                if let previousType, previousType.name == type {
                    typeNumbers.append(previousType.number)
                    continue
                }
                let number: Int
                if let known = typeNumberByName[type] {
                    number = known
                } else {
                    number = typeNumberByName.count
                    typeNumberByName[type] = number
                }
                typeNumbers.append(number)
                previousType = (type, number)
            }
        }
        nodeTypes = types
        nodeTypeNumbers = typeNumbers
        var names = [String](repeating: "", count: typeNumberByName.count)
        for (name, number) in typeNumberByName { names[number] = name }
        typeNames = names

        var tails: [Int?] = []
        var heads: [Int?] = []
        tails.reserveCapacity(graph.edges.count)
        heads.reserveCapacity(graph.edges.count)
        // A parsed graph's edges carry their ends' positions; other edges are looked up.
        graph.edges.withUnsafeBufferPointer { edges in
            for edge in edges {
                tails.append(graph.index(of: edge.from, hint: edge.tailHint))
                heads.append(graph.index(of: edge.to, hint: edge.headHint))
            }
        }
        edgeTails = tails
        edgeHeads = heads
        (conditionTexts, parsedConditions, edgeConditionNumbers) = Self.conditions(of: graph)
        (outgoingOffsets, outgoingList) = Self.compressed(tails, nodeCount: nodeCount)
        (incomingOffsets, incomingList) = Self.compressed(heads, nodeCount: nodeCount)

        var starts: [Int] = []
        var exits: [Int] = []
        for (number, type) in types.enumerated() {
            if type == NodeTypes.start { starts.append(number) }
            if type == NodeTypes.exit { exits.append(number) }
        }
        if starts.isEmpty {
            starts = ["start", "Start"].compactMap { graph.index(of: $0) }.sorted()
        }
        if exits.isEmpty {
            exits = ["exit", "Exit", "end", "End"].compactMap { graph.index(of: $0) }.sorted()
        }
        startNodes = starts
        exitNodes = exits
    }

    /// Edge numbers leaving node `number`, in declaration order.
    public func outgoingEdges(of number: Int) -> ArraySlice<Int> {
        outgoingList[outgoingOffsets[number]..<outgoingOffsets[number + 1]]
    }

    /// Edge numbers entering node `number`, in declaration order.
    public func incomingEdges(of number: Int) -> ArraySlice<Int> {
        incomingList[incomingOffsets[number]..<incomingOffsets[number + 1]]
    }

    /// Whether node `number` plays the start or exit role.
    public func isEndpoint(_ number: Int) -> Bool {
        startNodes.contains(number) || exitNodes.contains(number)
    }

    /// Node numbers reachable from `roots` along edge direction (the roots included), as a mask by node number.
    public func reachable(from roots: [Int]) -> [Bool] {
        var seen = [Bool](repeating: false, count: nodeTypes.count)
        var stack = roots
        for root in roots { seen[root] = true }
        while let node = stack.popLast() {
            for edge in outgoingEdges(of: node) {
                guard let head = edgeHeads[edge], !seen[head] else { continue }
                seen[head] = true
                stack.append(head)
            }
        }
        return seen
    }

    /// Groups edge numbers by endpoint (counting sort): offsets[n]..<offsets[n+1] in the list belong to node n.
    private static func compressed(_ endpoints: [Int?], nodeCount: Int) -> (offsets: [Int], list: [Int]) {
        var offsets = [Int](repeating: 0, count: nodeCount + 1)
        for case let node? in endpoints { offsets[node + 1] += 1 }
        for number in 0..<nodeCount { offsets[number + 1] += offsets[number] }
        var next = offsets
        var list = [Int](repeating: 0, count: offsets[nodeCount])
        for (edge, endpoint) in endpoints.enumerated() {
            guard let node = endpoint else { continue }
            list[next[node]] = edge
            next[node] += 1
        }
        return (offsets, list)
    }
}
