import Foundation
import Testing
@testable import TrellisDOT

/// The `trellis graph --json` format.
@Suite("Graph JSON")
struct GraphJSONEncoderTests {
    @Test("the JSON has the documented fields, values as written, ports when present")
    func format() throws {
        let source = """
            strict digraph G {
              goal="ship \\"it\\""
              node [shape=box]
              a [label="one\\ntwo"]
              a:out:e -> b [label=go]
              subgraph cluster_x { b; c }
              { d }
            }
            """
        let graph = try #require(DOTParser.parse(source, file: "g.dot").graph)
        let json = GraphJSONEncoder.encode(graph)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "G")
        #expect(object["strict"] as? Bool == true)
        #expect(object["directed"] as? Bool == true)
        #expect(object["attributes"] as? [String: String] == ["goal": "ship \"it\""])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["id"] as? String } == ["a", "b", "c", "d"])
        #expect(nodes[0]["attributes"] as? [String: String] == ["shape": "box", "label": "one\\ntwo"])
        let edges = try #require(object["edges"] as? [[String: Any]])
        #expect(edges.count == 1)
        #expect(edges[0]["from"] as? String == "a")
        #expect(edges[0]["to"] as? String == "b")
        #expect(edges[0]["from_port"] as? String == "out:e")
        #expect(edges[0]["to_port"] == nil)
        #expect(edges[0]["attributes"] as? [String: String] == ["label": "go"])
        let subgraphs = try #require(object["subgraphs"] as? [[String: Any]])
        #expect(subgraphs.count == 2)
        #expect(subgraphs[0]["id"] as? String == "cluster_x")
        #expect(subgraphs[0]["nodes"] as? [String] == ["b", "c"])
        #expect(subgraphs[1]["id"] is NSNull)
        #expect(Set(object.keys) == ["name", "strict", "directed", "attributes", "nodes", "edges", "subgraphs"])
    }

    @Test("control characters and non-ASCII text are valid JSON")
    func escaping() throws {
        let graph = Graph(nodes: [GraphNode(id: "é\u{1}\t", attributes: Attributes([("k", .init("a\"b\\c\r"))]))])
        let json = GraphJSONEncoder.encode(graph)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["name"] is NSNull)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes[0]["id"] as? String == "é\u{1}\t")
        #expect(nodes[0]["attributes"] as? [String: String] == ["k": "a\"b\\c\r"])
    }
}
