import Foundation
import Testing
@testable import TrellisDOT

/// Graphviz is the oracle: for every file of the oracle corpus, what Trellis parses must match
/// what `dot -Tjson` reports: node names and order, edge endpoints and ports, every non-layout
/// attribute of the graph, its nodes and its edges, and the members of named subgraphs.
@Suite("Graphviz oracle", .timeLimit(.minutes(1)))
struct GraphvizOracleTests {
    static let corpus = Fixtures.dotFiles(in: "oracle")

    @Test("the oracle corpus covers the grammar with at least 60 files")
    func corpusIsLargeEnough() {
        #expect(Self.corpus.count >= 60)
    }

    @Test("Trellis reads each corpus file as Graphviz does", arguments: Self.corpus)
    func matchesGraphviz(path: String) throws {
        guard GraphvizOracle.isAvailable else {
            Issue.record("Graphviz's dot is not installed at \(GraphvizOracle.dotPath); run scripts/install-deps")
            return
        }
        let bytes = try Fixtures.bytes(path)
        let result = DOTParser.parse(bytes: bytes, file: path)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { $0.rendered(source: nil) })")
        let graph = try #require(result.graph)
        let oracle = try GraphvizOracle.read(bytes)

        #expect(graph.name == oracle.name)
        #expect(graph.isStrict == oracle.isStrict)
        #expect(graph.isDirected == oracle.isDirected)
        #expect(graph.nodes.map(\.id) == oracle.nodeNames)

        let graphKeys = Set(graph.attributes.keys).union(oracle.attributes.keys)
        for key in graphKeys {
            #expect(graph.attributes.raw(key) ?? "" == oracle.attributes[key] ?? "", "graph attribute \(key)")
        }

        // Graphviz's edge `key` is an identity, not an attribute it prints.
        var nodeKeys = Set(graph.nodes.flatMap(\.attributes.keys))
        for attributes in oracle.nodeAttributes.values { nodeKeys.formUnion(attributes.keys) }
        nodeKeys.remove("key")
        for node in graph.nodes {
            let theirs = oracle.nodeAttributes[node.id] ?? [:]
            for key in nodeKeys {
                let mine = node.attributes.raw(key) ?? ""
                var expected = theirs[key] ?? ""
                // dot fills in the default node label `\N` (the node's name) when any node has a label.
                if key == "label", expected == "\\N", mine.isEmpty { expected = "" }
                #expect(mine == expected, "node \(node.id) attribute \(key)")
            }
        }

        var edgeKeys = Set(graph.edges.flatMap(\.attributes.keys))
        for edge in oracle.edges { edgeKeys.formUnion(edge.attributes.keys) }
        edgeKeys.remove("key")
        let mine = graph.edges.map { edge in
            GraphvizOracle.Edge(
                tail: edge.from, head: edge.to, tailPort: edge.fromPort ?? "", headPort: edge.toPort ?? "",
                attributes: Self.filled(edgeKeys) { edge.attributes.raw($0) })
        }
        let theirs = oracle.edges.map { edge in
            GraphvizOracle.Edge(
                tail: edge.tail, head: edge.head, tailPort: edge.tailPort, headPort: edge.headPort,
                attributes: Self.filled(edgeKeys) { edge.attributes[$0] })
        }
        // dot lists edges grouped by tail node, not in declaration order: compare as multisets.
        #expect(mine.map(\.description).sorted() == theirs.map(\.description).sorted())

        var myMembers: [String: Set<String>] = [:]
        for subgraph in graph.subgraphs {
            guard let id = subgraph.id else { continue }
            myMembers[id, default: []].formUnion(subgraph.nodes)
        }
        #expect(myMembers == oracle.subgraphMembers)
    }

    /// `keys` mapped to their value, with a missing value read as Graphviz's empty default.
    private static func filled(_ keys: Set<String>, _ value: (String) -> String?) -> [String: String] {
        var result: [String: String] = [:]
        for key in keys { result[key] = value(key) ?? "" }
        return result
    }
}
