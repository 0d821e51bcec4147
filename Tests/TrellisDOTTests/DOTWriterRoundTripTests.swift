import Testing
@testable import TrellisDOT

/// The canonical DOT writer's output parses back to an equal graph, for every corpus file.
@Suite("DOT writer round trip")
struct DOTWriterRoundTripTests {
    static let corpus = Fixtures.dotFiles(in: "attractor-samples") + Fixtures.dotFiles(in: "oracle")

    static func roundTrip(_ graph: Graph) throws -> Graph {
        let text = DOTWriter.write(graph)
        let again = DOTParser.parse(text, file: "written.dot")
        #expect(again.diagnostics.isEmpty, "\(again.diagnostics.map { $0.rendered(source: text) })")
        return try #require(again.graph)
    }

    // The parameterised test below passes vacuously when no fixture is found; this one may not.
    @Test("the round-trip corpus holds the samples and the oracle files")
    func corpusIsNotEmpty() {
        #expect(Self.corpus.count >= 17 + 60, "fixtures in \(Fixtures.directory)")
    }

    @Test("written DOT parses to an equal graph", arguments: Self.corpus)
    func corpusFileRoundTrips(path: String) throws {
        let graph = try #require(try DOTParser.parse(fileAt: path).graph)
        let again = try Self.roundTrip(graph)
        #expect(again == graph)
        // Equality ignores attribute order; the writer keeps it anyway.
        #expect(again.nodes.map(\.attributes.keys) == graph.nodes.map(\.attributes.keys))
        // Writing is canonical: the second writing is the same text.
        #expect(DOTWriter.write(again) == DOTWriter.write(graph))
    }

    @Test("an ID from an HTML string holding a backslash before a quote or at its end reads back (a fuzzing finding)")
    func htmlIDsWithLoneBackslashesRoundTrip() throws {
        let source = #"digraph { <name: \"$x\"> -> <end\> -> <two \\"> -> "quoted \\\" \\" }"#
        let graph = try #require(DOTParser.parse(source, file: "t.dot").graph)
        #expect(graph.nodes.map(\.id) == [#"name: \"$x\""#, #"end\"#, #"two \\""#, #"quoted \\" \\"#])
        #expect(try Self.roundTrip(graph) == graph)
    }

    @Test("a quoted value holding a backslash before a CR stays quoted (a fuzzing finding)")
    func quotedBackslashBeforeCarriageReturnRoundTrips() throws {
        // The second value is backslash, CR, then a continuation, then LF: its text is `\` CR LF,
        // which written back as is would read as one continuation.
        let source = "digraph { a [label=\"q\\\r h\", tip=\"x\\\r\\\n\ny\"] }"
        let graph = try #require(DOTParser.parse(source, file: "t.dot").graph)
        let attributes = try #require(graph.nodes.first?.attributes)
        #expect(attributes["label"]?.raw == "q\\\r h")
        #expect(attributes["tip"]?.raw == "x\\\r\ny")
        let again = try Self.roundTrip(graph)
        #expect(again == graph)
        #expect(again.nodes.first?.attributes["tip"]?.isHTML == false)
    }

    @Test("subgraph indices survive when a reopened subgraph gains a child after a sibling")
    func reopenedParentKeepsIndices() throws {
        let graph = try #require(DOTParser.parse(
            "digraph { subgraph a { x } subgraph b { y } subgraph a { subgraph c { z } } }", file: "t.dot").graph)
        #expect(graph.subgraphs.map(\.id) == ["a", "b", "c"])
        #expect(graph.subgraphs.map(\.parent) == [nil, nil, 0])
        #expect(try Self.roundTrip(graph) == graph)
    }

    @Test("IDs and values that need quoting, HTML values and ports survive")
    func quotingSurvives() throws {
        let source = #"""
            strict graph "the graph" {
              "node" [label="say \"hi\"\nthere", tip="ends with \\", html=<<b>x</b>>]
              "a b" -- "node" [w=-1.5, "human.default_choice"=S]
              x:"port:with:colons" -- y:p:ne
              "" -- z
            }
            """#
        let graph = try #require(DOTParser.parse(source, file: "q.dot").graph)
        #expect(try Self.roundTrip(graph) == graph)
    }

    @Test("graphs built in code round-trip too")
    func builtGraph() throws {
        var attributes = Attributes()
        attributes["prompt"] = AttributeValue("line one\nline two with a \"quote\"")
        let graph = Graph(
            name: "built", nodes: [GraphNode(id: "start", attributes: attributes), GraphNode(id: "exit")],
            edges: [GraphEdge(from: "start", to: "exit", attributes: Attributes([("condition", .init("outcome=success"))]))])
        #expect(try Self.roundTrip(graph) == graph)
    }

    @Test("the writer's text has the documented shape")
    func shape() throws {
        let graph = try #require(DOTParser.parse(
            "digraph G { node [shape=box]; a -> b [label=go]; subgraph cluster_x { label=\"X\"; b } }", file: "s.dot").graph)
        #expect(DOTWriter.write(graph) == """
            digraph G {
              a [shape=box];
              b [shape=box];
              a -> b [label=go];
              subgraph cluster_x {
                graph [label=X];
                b;
              }
            }

            """)
    }
}
